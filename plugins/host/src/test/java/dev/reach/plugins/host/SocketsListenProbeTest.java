package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import dev.reach.plugins.host.ProcNetSockets.Sock;
import dev.reach.plugins.host.SocketsListenProbe.Input;
import dev.reach.plugins.host.SocketsListenProbe.Listener;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SocketsListenProbeTest {

    // parsers on captured /proc files

    /** A JDK server binds a dual-stack socket: ss shows [::ffff:127.0.0.1]:8080, /proc's tcp6 reads as 127.0.0.1:8080. */
    @Test
    void ssLocalAddressesReadAsProcsEndpoints() {
        assertThat(SocketsListenProbe.endpoint("[::ffff:127.0.0.1]:8080")).isEqualTo("127.0.0.1:8080");
        assertThat(SocketsListenProbe.endpoint("*:22")).isEqualTo("[::]:22");
        assertThat(SocketsListenProbe.endpoint("[fe80::1%lo]:53")).isEqualTo("[fe80::1]:53");
        assertThat(SocketsListenProbe.endpoint("198.18.0.2:5432")).isEqualTo("198.18.0.2:5432");
        assertThat(SocketsListenProbe.endpoint("[::1]:631")).isEqualTo("[::1]:631");
    }

    @Test
    void procNetTcpGivesListenersWithTheirAcceptQueue() {
        List<String> bad = new ArrayList<>();
        List<Sock> socks = ProcNetSockets.parse(Samples.read("proc-net-tcp.txt"), "tcp", bad);
        Sock l = socks.stream().filter(s -> s.localPort() == 48123 && s.listening()).findFirst().orElseThrow();
        assertThat(l.local()).isEqualTo(InetAddress.ofLiteral("127.0.0.1"));
        assertThat(l.rxQueue()).isEqualTo(1);
        assertThat(l.inode()).isEqualTo(138769);
        assertThat(l.text()).isEqualTo("tcp LISTEN 127.0.0.1:48123 recv-q 1 send-q 0 uid 0 inode 138769");
        assertThat(socks).anyMatch(s -> s.state() == ProcNetSockets.TCP_ESTABLISHED && s.remotePort() == 48123);
    }

    @Test
    void malformedSocketLinesAreSkippedAndReported() {
        List<String> bad = new ArrayList<>();
        ProcNetSockets.parse(Samples.read("proc-net-tcp.txt"), "tcp", bad);
        assertThat(bad).containsExactly(
                "99: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "100: truncated");
    }

    @Test
    void ipv6AddressesAreReadWordByWord() {
        List<Sock> socks = ProcNetSockets.parse(Samples.read("proc-net-tcp6.txt"), "tcp6", new ArrayList<>());
        Sock l = socks.stream().filter(s -> s.localPort() == 48123).findFirst().orElseThrow();
        assertThat(Addresses.text(l.local())).isEqualTo("::1");
        assertThat(l.text()).startsWith("tcp6 LISTEN [::1]:48123 ");
    }

    @Test
    void udpSocketsWithoutAPeerCountAsListening() {
        Sock s = ProcNetSockets.parse("sl local rem st\n   5: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 4242 2 0 0\n",
                "udp", new ArrayList<>()).getFirst();
        assertThat(s.listening()).isTrue();
        assertThat(s.localPort()).isEqualTo(53);
    }

    @Test
    void netstatCountersArePairedByHeader() {
        List<String> bad = new ArrayList<>();
        Map<String, Long> c = NetstatCounters.parse(Samples.read("proc-net-netstat.txt"), bad);
        assertThat(c).containsKeys("TcpExt.ListenOverflows", "TcpExt.ListenDrops", "IpExt.InOctets");
        assertThat(bad).isEmpty();
    }

    @Test
    void netstatPairsThatDoNotLineUpAreReported() {
        List<String> bad = new ArrayList<>();
        assertThat(NetstatCounters.parse(Samples.read("proc-net-netstat-malformed.txt"), bad)).isEmpty();
        assertThat(bad).containsExactly("TcpExt: A B / TcpExt: 1");
    }

    @Test
    void ownersOfThisJvmsOwnSocketAreFound() throws Exception {
        try (var server = new java.net.ServerSocket(0, 5, InetAddress.ofLiteral("127.0.0.1"))) {
            // the JDK listens on an IPv6 socket bound to ::ffff:127.0.0.1, so look in both files
            String text = java.nio.file.Files.readString(Path.of("/proc/net/tcp")) + java.nio.file.Files.readString(Path.of("/proc/net/tcp6"))
                    .lines().skip(1).map(l -> l + "\n").reduce("", String::concat);
            Sock mine = ProcNetSockets.parse(text, "tcp", new ArrayList<>())
                    .stream().filter(s -> s.localPort() == server.getLocalPort() && s.listening()).findFirst().orElseThrow();
            var owners = SocketOwners.find(Path.of("/proc"), Set.of(mine.inode()));
            assertThat(owners.owners().get(mine.inode()).pid()).isEqualTo(ProcessHandle.current().pid());
        }
    }

    // classify

    @Test
    void noListenerIsListenNone() {
        var c = SocketsListenProbe.classify(input(null, 0, 0));
        assertThat(c.cause()).isEqualTo("listen.none");
        assertThat(c.summary()).startsWith("nothing listens on tcp port 8080");
    }

    @Test
    void loopbackOnlyIsListenLocalhostOnly() {
        var c = SocketsListenProbe.classify(input(null, 0, 0, listener("127.0.0.1", 0, 128), listener("::1", 0, 128)));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("listen.localhost-only");
        assertThat(c.summary()).startsWith("tcp port 8080 listens on 127.0.0.1:8080, [::1]:8080 only: other machines cannot connect");
    }

    @Test
    void loopbackOnlyIsFineForALoopbackClient() {
        var c = SocketsListenProbe.classify(input(InetAddress.ofLiteral("127.0.0.1"), 0, 0, listener("127.0.0.1", 0, 128)));
        assertThat(c.status()).isEqualTo(Status.OK);
    }

    @Test
    void boundToAnotherAddressThanTheClientUsesIsElsewhere() {
        var c = SocketsListenProbe.classify(input(InetAddress.ofLiteral("198.18.0.3"), 0, 0, listener("198.18.0.2", 0, 128)));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.outcome()).isEqualTo("elsewhere");
    }

    @Test
    void fullQueueWithRisingCountersIsListenOverflow() {
        var c = SocketsListenProbe.classify(input(null, 7, 7, listener("0.0.0.0", 2, 1)));
        assertThat(c.cause()).isEqualTo("listen.overflow");
        assertThat(c.summary()).isEqualTo("tcp port 8080 on 0.0.0.0:8080 is full (accept queue 2 of backlog 1; ListenOverflows +7, "
                + "ListenDrops +7 in 1000ms): the application does not accept connections fast enough; raise its listen backlog "
                + "and net.core.somaxconn, and find why it stalls");
    }

    @Test
    void risingCountersWithoutAFullQueueHereBlameAnotherListener() {
        var c = SocketsListenProbe.classify(input(null, 3, 3, listener("0.0.0.0", 0, 128)));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).contains("another listener");
    }

    @Test
    void wildcardListenerWithRoomIsOk() {
        var c = SocketsListenProbe.classify(input(InetAddress.ofLiteral("198.18.0.2"), 0, 0, listener("::", 0, 511)));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("tcp port 8080 listens on [::]:8080 (accept queue 0 of backlog 511)");
    }

    private static Input input(InetAddress host, long dOver, long dDrops, Listener... ls) {
        return new Input(8080, "tcp", host, List.of(ls), dOver, dDrops, 1000);
    }

    private static Listener listener(String ip, long queue, long backlog) {
        InetAddress a = InetAddress.ofLiteral(ip);
        return new Listener(Addresses.endpoint(a, 8080), a.isLoopbackAddress(), a.isAnyLocalAddress(), a, queue, backlog);
    }
}
