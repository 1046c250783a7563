package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.OfflineResolver;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TcpConnectProbeTest {
    private static final Duration T = Duration.ofSeconds(3);
    private final TcpConnectProbe probe = new TcpConnectProbe();

    // classify: the raw outcome -> status, cause, words (no network)

    @Test
    void acceptedConnectionIsOkWithTheTimeItTook() {
        var c = TcpConnectProbe.classify(null, "127.0.0.1:22", T, Duration.ofNanos(210_000));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("ok");
        assertThat(c.summary()).isEqualTo("127.0.0.1:22 accepted the connection in 0.21ms");
    }

    @Test
    void connectionRefusedIsTcpRefused() {
        var c = TcpConnectProbe.classify(new ConnectException("Connection refused"), "127.0.0.1:5", T, Duration.ZERO);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("tcp.refused");
        assertThat(c.outcome()).isEqualTo("refused");
        assertThat(c.evidence()).containsExactly("connect 127.0.0.1:5 -> Connection refused (RST)");
    }

    @Test
    void connectTimeoutIsFilteredAndSaysWhatThatMeans() {
        var c = TcpConnectProbe.classify(new SocketTimeoutException("Connect timed out"), "198.18.0.2:83",
                Duration.ofMillis(500), Duration.ofMillis(501));
        assertThat(c.cause()).isEqualTo("tcp.filtered");
        assertThat(c.outcome()).isEqualTo("timeout");
        assertThat(c.summary()).contains("no answer within 500ms: a firewall drops it, or the host is down");
    }

    @Test
    void kernelGivingUpOnTheSynIsFilteredToo() {
        var c = TcpConnectProbe.classify(new ConnectException("Connection timed out"), "198.18.0.2:83",
                Duration.ofMinutes(5), Duration.ofSeconds(127));
        assertThat(c.cause()).isEqualTo("tcp.filtered");
        assertThat(c.outcome()).isEqualTo("timeout");
        assertThat(c.evidence()).singleElement().asString().endsWith("(ETIMEDOUT)");
    }

    @Test
    void noRouteToHostIsHostUnreachableWhateverThePlatformCallsIt() {
        for (Exception e : List.of(new NoRouteToHostException("No route to host"), new SocketException("Host is unreachable"))) {
            var c = TcpConnectProbe.classify(e, "198.18.0.99:80", T, Duration.ofSeconds(3));
            assertThat(c.cause()).isEqualTo("host.unreachable");
            assertThat(c.outcome()).isEqualTo("host-unreachable");
        }
    }

    @Test
    void networkUnreachableIsRouteNone() {
        var c = TcpConnectProbe.classify(new SocketException("Network is unreachable"), "198.19.5.5:80", T, Duration.ZERO);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("route.none");
        assertThat(c.outcome()).isEqualTo("network-unreachable");
        assertThat(c.summary()).startsWith("no route to 198.19.5.5:80");
    }

    @Test
    void permissionDeniedFromConnectIsAdminProhibited() {
        // the JDK reports EACCES from connect (ICMPv6 administratively prohibited) as a BindException
        var c = TcpConnectProbe.classify(new BindException("Permission denied"), "[fd00:198:18::2]:82", T, Duration.ofSeconds(1));
        assertThat(c.cause()).isEqualTo("admin.prohibited");
        assertThat(c.outcome()).isEqualTo("prohibited");
    }

    @Test
    void unresolvedNameFailsWithoutACauseAndPointsAtDns() {
        var c = TcpConnectProbe.classify(new UnknownHostException("nosuch.invalid: Name or service not known"),
                "nosuch.invalid", T, Duration.ofMillis(2));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("unresolved");
        assertThat(c.summary()).startsWith("nosuch.invalid did not resolve (Name or service not known)").contains("DNS check");
        assertThat(c.evidence()).containsExactly("resolve nosuch.invalid -> Name or service not known");
    }

    @Test
    void anythingElseIsAnErrorNotAGuess() {
        var c = TcpConnectProbe.classify(new SocketException("Socket closed"), "127.0.0.1:22", T, Duration.ZERO);
        assertThat(c.status()).isEqualTo(Status.ERROR);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("error");
        assertThat(c.summary()).isEqualTo("connecting to 127.0.0.1:22 failed: Socket closed");
        assertThat(c.evidence()).containsExactly("connect 127.0.0.1:22 -> Socket closed");
    }

    // refine: the ICMP heard through IP_RECVERR sharpens an unreachable verdict (no network)

    private static final Judgement UNREACHABLE = TcpConnectProbe.classify(
            new NoRouteToHostException("No route to host"), "198.18.1.4:80", T, Duration.ofMillis(1));

    @Test
    void firewallIcmpBehindEhostunreachIsAdminProhibitedNamingIt() {
        var e = IcmpError.icmp(false, 3, 13, 0, InetAddress.ofLiteral("198.18.0.254"));
        var c = TcpConnectProbe.refine(UNREACHABLE, e, "198.18.1.4:80", false);
        assertThat(c.cause()).isEqualTo("admin.prohibited");
        assertThat(c.summary()).isEqualTo("198.18.1.4:80 is administratively prohibited: 198.18.0.254 answered ICMP 3/13 "
                + "admin-prohibited (a firewall REJECT rule there)");
        assertThat(c.evidence()).isEqualTo(UNREACHABLE.evidence());
    }

    @Test
    void routerNetUnreachableIsNotAMissingLocalRoute() {
        var noRoute = TcpConnectProbe.classify(new SocketException("Network is unreachable"), "198.19.7.7:80", T, Duration.ZERO);
        var c = TcpConnectProbe.refine(noRoute, IcmpError.icmp(false, 3, 0, 0, InetAddress.ofLiteral("198.18.0.254")), "198.19.7.7:80", false);
        assertThat(c.cause()).isEqualTo("net.unreachable");
        assertThat(c.summary()).contains("198.18.0.254 has no route onwards");
    }

    @Test
    void icmpThisHostSentItselfIsItsOwnArpFailure() {
        var e = IcmpError.icmp(false, 3, 1, 0, InetAddress.ofLiteral("198.18.0.1"));
        var c = TcpConnectProbe.refine(UNREACHABLE, e, "198.18.0.99:80", true);
        assertThat(c.cause()).isEqualTo("host.unreachable");
        assertThat(c.summary()).contains("nobody on the local link answers ARP/ND");
    }

    @Test
    void refusalByIcmpPortUnreachableIsAFirewallNotAClosedPort() {
        var refused = TcpConnectProbe.classify(new java.net.ConnectException("Connection refused"), "198.18.1.2:8080", T, Duration.ZERO);
        var portUnreachable = IcmpError.icmp(false, 3, 3, 0, InetAddress.ofLiteral("198.18.1.2"));
        var far = TcpConnectProbe.rejected(refused, portUnreachable, "198.18.1.2:8080", false);
        assertThat(far.cause()).isEqualTo("tcp.refused");
        assertThat(far.summary()).isEqualTo("198.18.1.2:8080 was refused by a firewall: 198.18.1.2 answered ICMP port-unreachable "
                + "(a REJECT rule; a closed port answers with a reset)");
        assertThat(far.evidence()).singleElement().asString().endsWith("(ICMP port-unreachable, not a reset)");
        var here = TcpConnectProbe.rejected(refused, IcmpError.icmp(false, 3, 3, 0, InetAddress.ofLiteral("198.18.0.1")), "198.18.1.2:8080", true);
        assertThat(here.cause()).isEqualTo("firewall.local");
        assertThat(here.summary()).contains("its own firewall rejects the flow");
    }

    @Test
    void aRoutersWordOnTheWholeHostHeardForAnotherPortCountsForThisOne() {
        InetAddress router = InetAddress.ofLiteral("198.18.0.254");
        assertThat(SynRace.aboutTheHost(IcmpError.icmp(false, 3, 0, 0, router))).as("net-unreachable").isTrue();
        assertThat(SynRace.aboutTheHost(IcmpError.icmp(false, 3, 1, 0, router))).as("host-unreachable").isTrue();
        assertThat(SynRace.aboutTheHost(IcmpError.icmp(false, 3, 13, 0, router))).as("admin-prohibited: maybe this port only").isFalse();
        assertThat(SynRace.aboutTheHost(IcmpError.icmp(false, 3, 3, 0, router))).as("port-unreachable: that port only").isFalse();
        assertThat(SynRace.aboutTheHost(new IcmpError(IcmpError.ORIGIN_LOCAL, Syscalls.EHOSTUNREACH, 0, 0, 0, null)))
                .as("this host's own ARP failure: not a router's word").isFalse();
        assertThat(SynRace.aboutTheHost(null)).isFalse();
    }

    @Test
    void nothingHeardLeavesTheVerdictAsItWas() {
        assertThat(TcpConnectProbe.refine(UNREACHABLE, null, "x", false)).isSameAs(UNREACHABLE);
        var localNoRoute = new IcmpError(IcmpError.ORIGIN_LOCAL, Syscalls.ENETUNREACH, 0, 0, 0, null);
        assertThat(TcpConnectProbe.refine(UNREACHABLE, localNoRoute, "x", true)).isSameAs(UNREACHABLE);
    }

    @Test
    void ipv6AddressesAreWrittenCompressed() {
        assertThat(Addresses.text(InetAddress.ofLiteral("::1"))).isEqualTo("::1");
        assertThat(Addresses.text(InetAddress.ofLiteral("fd00:198:18:0:0:0:0:2"))).isEqualTo("fd00:198:18::2");
        assertThat(Addresses.text(InetAddress.ofLiteral("2001:db8:0:1:0:0:1:1"))).isEqualTo("2001:db8:0:1::1:1");
        assertThat(Addresses.text(InetAddress.ofLiteral("2001:db8:1:1:1:1:0:1"))).isEqualTo("2001:db8:1:1:1:1:0:1");
    }

    // real loopback

    @Test
    void openPortOnIpv4LoopbackIsOkWithFacts() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"))) {
            int port = server.getLocalPort();
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + port);
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.cause()).isEmpty();
            assertThat(o.summary()).startsWith("127.0.0.1:" + port + " accepted the connection in ");
            assertThat(o.facts()).containsEntry("outcome", "ok").containsEntry("address", "127.0.0.1")
                    .containsEntry("addresses", List.of("127.0.0.1")).containsEntry("remote", "127.0.0.1:" + port)
                    .containsKey("connect_ms").doesNotContainKey("resolve_ms");
            assertThat((String) o.facts().get("local")).startsWith("127.0.0.1:");
            assertThat(o.evidence()).singleElement().asString().startsWith("connect 127.0.0.1:" + port + " -> connected in ");
        }
    }

    @Test
    void openPortOnIpv6LoopbackIsOkAndBracketsAreOptional() throws IOException {
        ServerSocket server;
        try {
            server = new ServerSocket(0, 50, InetAddress.ofLiteral("::1"));
        } catch (SocketException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (server) {
            int port = server.getLocalPort();
            Observation o = ProbeHarness.run(probe, "host=[::1]", "port=" + port, "family=6");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("address", "::1").containsEntry("remote", "[::1]:" + port);
            assertThat((String) o.facts().get("local")).startsWith("[::1]:");
        }
    }

    @Test
    void closedPortIsRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.0.1"))) {
            port = s.getLocalPort(); // free now, and nothing listens once it is closed
        }
        Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + port);
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.FAIL);
        assertThat(o.cause()).contains("tcp.refused");
        assertThat(o.facts()).containsEntry("outcome", "refused").containsKey("connect_ms").doesNotContainKey("local");
        assertThat(o.evidence()).containsExactly("connect 127.0.0.1:" + port + " -> Connection refused (RST)");
    }

    @Test
    void namesAreResolvedAndTheFirstAddressOfTheFamilyIsTried() throws IOException {
        OfflineResolver.requireInUse();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"))) {
            Observation o = ProbeHarness.run(probe, "host=dual.test", "port=" + server.getLocalPort(), "family=4");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("address", "127.0.0.1").containsEntry("addresses", List.of("127.0.0.1", "::1"))
                    .containsKey("resolve_ms");
            assertThat(o.evidence()).first().asString().startsWith("resolve dual.test -> 127.0.0.1, ::1 in ");
        }
    }

    @Test
    void unresolvableNameIsUnresolvedWithoutACause() {
        OfflineResolver.requireInUse(); // so the lookup never leaves this machine
        Observation o = ProbeHarness.run(probe, "host=nosuch.invalid", "port=80");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.FAIL);
        assertThat(o.cause()).isEmpty();
        assertThat(o.facts()).containsEntry("outcome", "unresolved");
        assertThat(o.summary()).contains("nosuch.invalid did not resolve").contains("run a DNS check");
    }

    @Test
    void nameWithoutAnAddressOfTheWantedFamilyIsUnresolved() {
        OfflineResolver.requireInUse();
        Observation o = ProbeHarness.run(probe, "host=v4.test", "port=80", "family=6");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.cause()).isEmpty();
        assertThat(o.facts()).containsEntry("outcome", "unresolved");
        assertThat(o.summary()).startsWith("v4.test has no IPv6 address (it resolves to 127.0.0.1)");
    }

    @Test
    void literalOfTheOtherFamilyIsAUserErrorNotAFault() {
        Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=80", "family=6");
        assertThat(o.status()).isEqualTo(Status.ERROR);
        assertThat(o.summary()).contains("family=6");
    }

    @Test
    void shortTimeoutsStillConnectOnLoopback() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"))) {
            Observation o = ProbeHarness.run(probe, Duration.ofSeconds(5),
                    Map.of("host", "127.0.0.1", "port", server.getLocalPort(), "timeout", "1ms"));
            // 1ms is enough on loopback; what matters is that it never hangs past the deadline
            assertThat(o.status()).isIn(Status.OK, Status.FAIL);
            assertThat(o.duration()).isLessThan(Duration.ofSeconds(2));
        }
    }

    // parameters: the spec is checked before run() is called

    @Test
    void portOutOfRangeIsRejectedNamingTheParameter() {
        assertThat(errors("host=127.0.0.1", "port=70000"))
                .containsExactly("bad value for parameter 'port' of tcp.connect: 70000 is not a port number from 1 to 65535");
    }

    @Test
    void unknownFamilyIsRejectedListingTheAllowedValues() {
        assertThat(errors("host=127.0.0.1", "port=22", "family=5"))
                .containsExactly("bad value for parameter 'family' of tcp.connect: '5' is not allowed (allowed: any, 4, 6)");
    }

    @Test
    void timeoutOutsideItsRangeIsRejectedWithTheRange() {
        assertThat(errors("host=127.0.0.1", "port=22", "timeout=10m"))
                .containsExactly("bad value for parameter 'timeout' of tcp.connect: 10m is out of range (allowed: 1ms..5m)");
    }

    // the adaptive wait

    @Test
    void aSilentSynIsWaitedForTwentyRoundTripsOfWhatElseAnsweredButAtLeastTheFloor() {
        assertThat(SynRace.patience(true, 3000, 0.1)).isEqualTo(250);      // 20 x 0.1 ms is 2 ms: the floor
        assertThat(SynRace.patience(true, 3000, 40)).isEqualTo(800);       // a far host: 20 round trips
        assertThat(SynRace.patience(true, 500, 40)).isEqualTo(500);        // never past the timeout
        assertThat(SynRace.patience(true, 3000, -1)).isEqualTo(1500);      // nothing answered: the silent limit
        assertThat(SynRace.patience(false, 3000, 0.1)).isEqualTo(3000);    // wait=full
    }

    @Test
    void aSilentSynSaysWhatItWasMeasuredAgainst() {
        var alive = new SynRace.Result(-1, 251, null, "ICMP echo reply", 0.08, true, List.of(), null, null);
        assertThat(TcpConnectProbe.waited(alive, "h:80", List.of())).isEqualTo("h:80 gave no answer to two SYNs within 251ms, while the host "
                + "answered (ICMP echo reply in 0.08ms; 251ms is the floor, above 20 such round trips): a firewall drops the port, "
                + "or its accept queue is full");
        var silent = new SynRace.Result(-1, 1500, null, null, -1, true, List.of(new SynRace.Port(22, "silent", -1)), null, null);
        assertThat(TcpConnectProbe.waited(silent, "h:80", List.of(22))).isEqualTo("h:80 gave no answer within 1.5s, and nothing else on "
                + "the host answered (ICMP echo; ports 22): the host is down or isolated, or a firewall drops everything from here");
    }

    @Test
    void nativeErrnosReadAsTheJdksExceptions() {
        assertThat(TcpConnectProbe.classify(TcpConnectProbe.failure(Syscalls.ECONNREFUSED), "h:1", T, Duration.ZERO).cause()).isEqualTo("tcp.refused");
        assertThat(TcpConnectProbe.classify(TcpConnectProbe.failure(Syscalls.EHOSTUNREACH), "h:1", T, Duration.ZERO).cause()).isEqualTo("host.unreachable");
        assertThat(TcpConnectProbe.classify(TcpConnectProbe.failure(Syscalls.ENETUNREACH), "h:1", T, Duration.ZERO).cause()).isEqualTo("route.none");
        assertThat(TcpConnectProbe.classify(TcpConnectProbe.failure(Syscalls.EACCES), "h:1", T, Duration.ZERO).cause()).isEqualTo("admin.prohibited");
        // EPERM: a policy of this host forbids the connect; nothing left the host
        var local = TcpConnectProbe.classify(TcpConnectProbe.failure(Syscalls.EPERM), "h:1", T, Duration.ZERO);
        assertThat(local.cause()).isEqualTo("firewall.local");
        assertThat(local.outcome()).isEqualTo("local-firewall");
        assertThat(local.summary()).contains("never sent a SYN", "this host's own firewall or security");
        assertThat(TcpConnectProbe.classify(TcpConnectProbe.failure(-1), "h:1", T, Duration.ZERO).cause()).isEqualTo("tcp.filtered");
        assertThat(TcpConnectProbe.failure(0)).isNull();
    }

    @Test
    void missingHostAndTypoInPortAreEachReportedOnce() {
        // the typo already points at 'port': it is not reported again as missing
        assertThat(errors("prot=22")).containsExactlyInAnyOrder(
                "unknown parameter 'prot' for tcp.connect; did you mean 'port'? (parameters: host, port, timeout, family, wait, other_ports)",
                "missing required parameter 'host' for tcp.connect; add host=127.0.0.1");
    }

    @Test
    void specNeedsNothingAndShowsAnExample() {
        assertThat(TcpConnectProbe.SPEC.id()).isEqualTo("tcp.connect");
        assertThat(TcpConnectProbe.SPEC.needs()).isEqualTo(Needs.NOTHING);
        assertThat(TcpConnectProbe.SPEC.examples()).isNotEmpty().allMatch(e -> e.startsWith("reach probe tcp.connect "));
        assertThat(probe.spec()).isSameAs(TcpConnectProbe.SPEC);
    }

    private List<String> errors(String... keyValues) {
        var binding = ParamBinder.bind(TcpConnectProbe.SPEC, ProbeHarness.parse(keyValues));
        return binding.errors().stream().map(ParamBinder.ParamError::message).toList();
    }
}
