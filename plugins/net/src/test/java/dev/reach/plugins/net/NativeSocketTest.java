package dev.reach.plugins.net;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import static dev.reach.plugins.net.Syscalls.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The FFM layer against the real kernel on loopback: no root needed. */
class NativeSocketTest {
    private static final InetAddress LO = InetAddress.ofLiteral("127.0.0.1");

    @Test
    void structLayoutsHaveTheKernelsSizes() {
        assertThat(MSGHDR.byteSize()).isEqualTo(56);
        assertThat(IOVEC.byteSize()).isEqualTo(16);
        assertThat(POLLFD.byteSize()).isEqualTo(8);
        assertThat(MSGHDR.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("control"))).isEqualTo(32);
    }

    @Test
    void sockaddrRoundTripsForBothFamilies() {
        try (Arena arena = Arena.ofConfined()) {
            for (String literal : new String[] {"198.18.0.2", "fd00:198:18::2"}) {
                var in = new InetSocketAddress(InetAddress.ofLiteral(literal), 33434);
                MemorySegment s = NativeSocket.sockaddr(arena, in);
                assertThat(s.byteSize()).isEqualTo(literal.contains(":") ? 28 : 16);
                assertThat(NativeSocket.address(s, (int) s.byteSize())).isEqualTo(in);
            }
        }
    }

    @Test
    void truncatedOrForeignSockaddrDecodesToNullNotGarbage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = NativeSocket.sockaddr(arena, new InetSocketAddress(LO, 1));
            assertThat(NativeSocket.address(s, 1)).isNull();
            assertThat(NativeSocket.address(s, 999)).isNotNull(); // a length beyond the buffer is cut to it
            s.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 1); // AF_UNIX
            assertThat(NativeSocket.address(s, 16)).isNull();
        }
    }

    @Test
    void extendedErrorIsParsedFromItsSixteenBytes() {
        byte[] ee = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putInt(EMSGSIZE).put((byte) 2).put((byte) 3).put((byte) 4).put((byte) 0).putInt(1280).putInt(0).array();
        IcmpError e = IcmpError.parse(ee, InetAddress.ofLiteral("198.18.1.1"));
        assertThat(e.kind()).isEqualTo("frag-needed");
        assertThat(e.info()).isEqualTo(1280);
        assertThat(e.describe()).isEqualTo("ICMP 3/4 frag-needed (next-hop mtu 1280) from 198.18.1.1");
        assertThatThrownBy(() -> IcmpError.parse(new byte[3], null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void icmpKindsMapToTheFaultCatalogue() {
        assertThat(IcmpError.icmp(false, 3, 13, 0, null).cause()).isEqualTo("admin.prohibited");
        assertThat(IcmpError.icmp(false, 3, 0, 0, null).cause()).isEqualTo("net.unreachable");
        assertThat(IcmpError.icmp(false, 3, 1, 0, null).cause()).isEqualTo("host.unreachable");
        assertThat(IcmpError.icmp(false, 11, 0, 0, null).cause()).isNull();
        assertThat(IcmpError.icmp(true, 1, 1, 0, null).kind()).isEqualTo("admin-prohibited");
        assertThat(IcmpError.icmp(true, 1, 4, 0, null).kind()).isEqualTo("port-unreachable");
        assertThat(IcmpError.icmp(true, 2, 0, 1280, null).kind()).isEqualTo("frag-needed");
    }

    @Test
    void udpToAClosedLoopbackPortQueuesPortUnreachableFromLoopback() throws Exception {
        int port = freeUdpPort();
        try (NativeSocket s = NativeSocket.open(AF_INET, SOCK_DGRAM, IPPROTO_UDP)) {
            s.setInt(IPPROTO_IP, IP_RECVERR, 1);
            assertThat(s.connect(new InetSocketAddress(LO, port))).isZero();
            assertThat(s.localAddress().getAddress()).isEqualTo(LO);
            assertThat(s.send(new byte[] {1, 2, 3}, null)).isEqualTo(3);
            short ev = s.poll(POLLERR, Duration.ofSeconds(2));
            assertThat(ev & POLLERR).isNotZero();
            NativeSocket.Received r = s.receive(64, MSG_ERRQUEUE);
            assertThat(r.error()).isNotNull();
            assertThat(r.error().kind()).isEqualTo("port-unreachable");
            assertThat(r.error().errno()).isEqualTo(ECONNREFUSED);
            assertThat(r.error().offender()).isEqualTo(LO);
            assertThat(r.data()).containsExactly(1, 2, 3); // the error queue hands back the original payload
            assertThatThrownBy(() -> s.receive(64, MSG_ERRQUEUE)).isInstanceOf(NativeSocket.Failure.class)
                    .extracting(f -> ((NativeSocket.Failure) f).errno()).isEqualTo(EAGAIN);
        }
    }

    @Test
    void datagramAnswerIsReadWithItsSenderAndTtl() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, LO); NativeSocket s = NativeSocket.open(AF_INET, SOCK_DGRAM, IPPROTO_UDP)) {
            s.setInt(IPPROTO_IP, IP_RECVTTL, 1);
            s.connect(new InetSocketAddress(LO, echo.getLocalPort()));
            s.send("hi".getBytes(), null);
            var p = new java.net.DatagramPacket(new byte[16], 16);
            echo.setSoTimeout(2000);
            echo.receive(p);
            echo.send(new java.net.DatagramPacket("yo".getBytes(), 2, p.getSocketAddress()));
            assertThat(s.poll(POLLIN, Duration.ofSeconds(2)) & POLLIN).isNotZero();
            NativeSocket.Received r = s.receive(64, 0);
            assertThat(new String(r.data())).isEqualTo("yo");
            assertThat(r.from()).isEqualTo(new InetSocketAddress(LO, echo.getLocalPort()));
            assertThat(r.ttl()).isEqualTo(64);
            assertThat(r.error()).isNull();
        }
    }

    @Test
    void pollTimesOutWithNoEvents() throws Exception {
        try (NativeSocket s = NativeSocket.open(AF_INET, SOCK_DGRAM, IPPROTO_UDP)) {
            long t0 = System.nanoTime();
            assertThat(s.poll(POLLIN, Duration.ofMillis(50))).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(40));
        }
    }

    @Test
    void badInputIsAnErrnoNotACrash() throws Exception {
        assertThatThrownBy(() -> NativeSocket.open(AF_INET, SOCK_DGRAM, 255)).isInstanceOf(NativeSocket.Failure.class);
        assertThatThrownBy(() -> NativeSocket.open(99, SOCK_DGRAM, 0)).isInstanceOf(IllegalArgumentException.class);
        NativeSocket s = NativeSocket.open(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        assertThatThrownBy(() -> s.setInt(12345, 999, 1)).isInstanceOf(NativeSocket.Failure.class);
        assertThatThrownBy(() -> s.setInt(IPPROTO_IP, IP_TTL, 999)).isInstanceOf(NativeSocket.Failure.class)
                .hasMessageContaining("EINVAL");
        s.close();
        s.close(); // twice is harmless
        assertThatThrownBy(() -> s.send(new byte[1], null)).isInstanceOf(NativeSocket.Failure.class).hasMessageContaining("EBADF");
        assertThatThrownBy(() -> s.receive(16, 0)).isInstanceOf(NativeSocket.Failure.class);
        assertThat(s.connect(new InetSocketAddress(LO, 9))).isEqualTo(9);
    }

    @Test
    void everyCallOnAClosedDescriptorFailsCleanly() throws Exception {
        // the raw layer, given a descriptor that is not open, reports EBADF instead of crashing
        Syscalls.Result r = Syscalls.close(Integer.MAX_VALUE);
        assertThat(r.failed()).isTrue();
        assertThat(r.errno()).isEqualTo(9);
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket d = new DatagramSocket(0, LO)) {
            return d.getLocalPort();
        }
    }

    @Test
    void kernelReceiveTimeComesWithTheDatagramWhenAskedFor() throws Exception {
        try (NativeSocket s = NativeSocket.open(AF_INET, SOCK_DGRAM, IPPROTO_UDP); DatagramSocket peer = new DatagramSocket(0, LO)) {
            s.setInt(SOL_SOCKET, SO_TIMESTAMPNS, 1);
            assertThat(s.connect(new InetSocketAddress(LO, peer.getLocalPort()))).isZero();
            long before = java.time.Instant.now().toEpochMilli();
            byte[] data = {1, 2, 3};
            peer.send(new java.net.DatagramPacket(data, data.length, s.localAddress()));
            assertThat(s.poll(POLLIN, Duration.ofSeconds(2)) & POLLIN).isNotZero();
            NativeSocket.Received r = s.receive(16, 0);
            assertThat(r.data()).containsExactly(1, 2, 3);
            assertThat(r.stamp() / 1_000_000).isBetween(before - 1000, java.time.Instant.now().toEpochMilli());
        }
    }

    @Test
    void tcpInfoOfAnEstablishedConnectionCarriesTheHandshakeRtt() throws Exception {
        try (var server = new java.net.ServerSocket(0, 1, LO);
             NativeSocket s = NativeSocket.open(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            assertThat(s.connect(new InetSocketAddress(LO, server.getLocalPort()))).isZero();
            byte[] info = s.getBytes(IPPROTO_TCP, TCP_INFO, 104);
            assertThat(info.length).isGreaterThanOrEqualTo(72);
            assertThat(info[0]).isEqualTo((byte) 1); // tcpi_state TCP_ESTABLISHED
            long rttMicros = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder()).getInt(68) & 0xffffffffL;
            assertThat(rttMicros).isBetween(1L, 1_000_000L);
        }
    }
}
