package dev.reach.plugins.net;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcp.connect against a real kernel: a client and a server namespace joined by one veth pair
 * (198.18.0.1/24 and fd00:198:18::1/64 on the client, .2 and ::2 on the server), no other link, no default
 * route (only 198.19.7.0/24 via the server, which has nowhere to send it). Each server port gets its own
 * firewall rule; the probe runs inside the client namespace, in a JVM started there.
 */
class TcpConnectProbeIT {
    private static final String SERVER = "198.18.0.2";
    private static final String SERVER6 = "fd00:198:18::2";
    private static final int OPEN = 8080;
    private static final int CLOSED = 8081;
    private static final int DROPPED = 8082;
    private static final int TCP_RESET = 8083;
    private static final int HOST_PROHIBITED = 8084;
    private static final int ADMIN_PROHIBITED = 8085;
    private static final int NET_UNREACHABLE = 8086;
    /** Listens (the kernel completes handshakes into the backlog) and exits by itself after two minutes. */
    private static final String LISTEN = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2])))
            s.listen(64)
            print('listening', flush=True)
            time.sleep(120)
            """;

    private static Netns lab;
    private static String client;
    private static String server;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "iptables", "ip6tables", "python3");
        lab = Netns.create();
        client = lab.namespace("cli");
        server = lab.namespace("srv");
        Netns.Link link = lab.link(client, "198.18.0.1/24", server, SERVER + "/24");
        lab.address(client, link.devA(), "fd00:198:18::1/64");
        lab.address(server, link.devB(), SERVER6 + "/64");
        // the server routes for 198.19.7.0/24 but has no route onwards: it answers ICMP net-unreachable
        lab.route(client, "198.19.7.0/24", SERVER);
        lab.exec(server, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").orThrow();

        reject(server, "iptables", DROPPED, "DROP");
        reject(server, "iptables", TCP_RESET, "REJECT", "--reject-with", "tcp-reset");
        reject(server, "iptables", HOST_PROHIBITED, "REJECT", "--reject-with", "icmp-host-prohibited");
        reject(server, "iptables", ADMIN_PROHIBITED, "REJECT", "--reject-with", "icmp-admin-prohibited");
        reject(server, "iptables", NET_UNREACHABLE, "REJECT", "--reject-with", "icmp-net-unreachable");
        reject(server, "ip6tables", DROPPED, "DROP");
        reject(server, "ip6tables", TCP_RESET, "REJECT", "--reject-with", "tcp-reset");
        reject(server, "ip6tables", ADMIN_PROHIBITED, "REJECT", "--reject-with", "icmp6-adm-prohibited");

        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        for (String address : new String[] {SERVER, SERVER6}) {
            Netns.Spawned listener = lab.spawn(server, python, "-c", LISTEN, address, String.valueOf(OPEN));
            assertThat(listener.awaitOutput("listening", Duration.ofSeconds(10)))
                    .as("listener on %s: %s", address, listener.output()).isTrue();
        }
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void openPortAcrossTheLinkIsOk() {
        var r = probe("host=" + SERVER, "port=" + OPEN);
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("remote", SERVER + ":" + OPEN).containsKey("local");
        assertThat(r.facts().get("local")).startsWith("198.18.0.1:");
        assertThat(r.facts()).containsEntry("syns_lost", "0");
    }

    /**
     * Every other SYN to the open port dropped (iptables' statistic match, nth): the first goes unanswered. Waiting it
     * out, the kernel sends it again after its 1 s timer; racing (the default), a second SYN from another port
     * overtakes it. Either way the connection is made and the lost SYN counted.
     */
    @Test
    void aSynLostOnTheWayIsCountedOnceTheConnectionIsMade() {
        for (String wait : new String[] {"full", "adaptive"}) {
            String[] rule = {"INPUT", "-p", "tcp", "--dport", String.valueOf(OPEN), "--syn", "-m", "statistic", "--mode", "nth",
                    "--every", "2", "--packet", "0", "-j", "DROP"};
            lab.exec(server, concat("iptables", "-I", rule)).orThrow();
            try {
                var r = probe("host=" + SERVER, "port=" + OPEN, "timeout=5s", "wait=" + wait);
                assertThat(r.status()).as(wait + ": " + r).isEqualTo("ok");
                assertThat(r.facts()).as(wait + ": " + r).containsEntry("syns_lost", "1");
                assertThat(r.evidence()).as(wait + ": " + r).anyMatch(l -> l.startsWith("connected after 1 SYN went unanswered ("));
            } finally {
                lab.exec(server, concat("iptables", "-D", rule)).orThrow();
            }
        }
    }

    private static String[] concat(String tool, String action, String[] rule) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(tool, action), java.util.Arrays.stream(rule)).toArray(String[]::new);
    }

    @Test
    void closedPortAcrossTheLinkIsRefused() {
        var r = probe("host=" + SERVER, "port=" + CLOSED);
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.refused");
        assertThat(r.evidence()).contains("connect " + SERVER + ":" + CLOSED + " -> Connection refused (RST)");
    }

    @Test
    void droppedPortIsFilteredWithinTheTimeout() {
        var r = probe("host=" + SERVER, "port=" + DROPPED, "timeout=500ms", "wait=full");
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.cause()).isEqualTo("tcp.filtered");
        assertThat(r.outcome()).isEqualTo("timeout");
        assertThat(r.summary()).contains("no answer within 500ms: a firewall drops it, or the host is down");
        assertThat(Double.parseDouble(r.facts().get("connect_ms"))).isBetween(450.0, 2000.0);
    }

    /** The host answers ICMP echo in well under a millisecond: a SYN silent for 250 ms (the floor) is dropped, not late. */
    @Test
    void droppedPortOfAHostThatAnswersIsFilteredAfterTwentyRoundTrips() {
        var r = probe("host=" + SERVER, "port=" + DROPPED, "timeout=5s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.filtered");
        assertThat(r.facts()).containsEntry("alive", "true").containsEntry("alive_by", "ICMP echo reply");
        assertThat(Long.parseLong(r.facts().get("waited_ms"))).isBetween(250L, 1000L);
        assertThat(r.summary()).contains("no answer to two SYNs within", "while the host answered (ICMP echo reply in");
    }

    /** Another port's RST proves the host up as well as an echo reply would. */
    @Test
    void anotherPortThatRefusesProvesTheHostUp() {
        var r = probe("host=" + SERVER, "port=" + DROPPED, "timeout=5s", "other_ports=" + TCP_RESET + ",1");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.filtered");
        assertThat(r.facts()).containsEntry("alive", "true");
        assertThat(r.facts().get("other_ports")).contains("1 refused");
    }

    @Test
    void rejectWithTcpResetIsRefused() {
        var r = probe("host=" + SERVER, "port=" + TCP_RESET);
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.refused");
        assertThat(r.outcome()).isEqualTo("refused");
    }

    @Test
    void rejectWithIcmpHostProhibitedIsAdminProhibitedOnceTheIcmpIsRead() {
        // the errno (EHOSTUNREACH) hides it; the error queue has ICMP 3/10 and its sender
        var r = probe("host=" + SERVER, "port=" + HOST_PROHIBITED);
        assertThat(r.cause()).as(r.toString()).isEqualTo("admin.prohibited");
        assertThat(r.evidence()).anyMatch(e -> e.endsWith("No route to host (EHOSTUNREACH)"))
                .contains("IP_RECVERR on the connect -> ICMP 3/10 admin-prohibited from " + SERVER);
        assertThat(r.facts()).containsEntry("icmp_from", SERVER);
    }

    @Test
    void rejectWithIcmpAdminProhibitedIsAdminProhibitedNamingTheFirewall() {
        // IPv4: the kernel turns ICMP type 3 code 13 into EHOSTUNREACH; IP_RECVERR tells it apart
        var r = probe("host=" + SERVER, "port=" + ADMIN_PROHIBITED);
        assertThat(r.cause()).as(r.toString()).isEqualTo("admin.prohibited");
        assertThat(r.summary()).contains(SERVER + " answered ICMP 3/13 admin-prohibited");
        assertThat(r.facts()).containsEntry("icmp_from", SERVER);
    }

    @Test
    void rejectWithIcmpNetUnreachableIsNetUnreachableNotAMissingLocalRoute() {
        // it arrives as ENETUNREACH, like a missing local route; the queued ICMP names who sent it
        var r = probe("host=" + SERVER, "port=" + NET_UNREACHABLE);
        assertThat(r.cause()).as(r.toString()).isEqualTo("net.unreachable");
        assertThat(r.facts()).containsEntry("icmp_from", SERVER);
    }

    @Test
    void destinationWithoutARouteIsRouteNone() {
        var r = probe("host=198.19.5.5", "port=80");
        assertThat(r.cause()).as(r.toString()).isEqualTo("route.none");
        assertThat(r.outcome()).isEqualTo("network-unreachable");
        assertThat(r.summary()).startsWith("no route to 198.19.5.5:80");
    }

    @Test
    void routerAnsweringNetUnreachableIsNetUnreachableNamingTheRouter() {
        // ENETUNREACH again, but the error queue says a router (the server here) sent ICMP net-unreachable
        var r = probe("host=198.19.7.7", "port=80");
        assertThat(r.cause()).as(r.toString()).isEqualTo("net.unreachable");
        assertThat(r.summary()).contains(SERVER + " has no route onwards");
    }

    @Test
    void onLinkAddressNobodyOwnsIsHostUnreachableOnceArpFails() {
        var r = probe("host=198.18.0.99", "port=80", "timeout=5s", "wait=full");
        assertThat(r.cause()).as(r.toString()).isEqualTo("host.unreachable");
        assertThat(r.outcome()).isEqualTo("host-unreachable");
        assertThat(r.summary()).contains("nobody on the local link answers ARP/ND");
    }

    @Test
    void openPortOverIpv6IsOk() {
        var r = probe("host=" + SERVER6, "port=" + OPEN);
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("remote", "[" + SERVER6 + "]:" + OPEN);
    }

    @Test
    void ipv6RejectWithTcpResetIsRefused() {
        var r = probe("host=[" + SERVER6 + "]", "port=" + TCP_RESET);
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.refused");
    }

    @Test
    void ipv6DroppedPortIsFiltered() {
        var r = probe("host=" + SERVER6, "port=" + DROPPED, "timeout=500ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.filtered");
    }

    @Test
    void ipv6AdminProhibitedIsAdminProhibited() {
        // ICMPv6 code 1 arrives as EACCES; in a veth lab the first one lands while connect() still holds the
        // socket and only counts as a soft error, so the answer to the SYN resent after 1s is what ends it
        var r = probe("host=" + SERVER6, "port=" + ADMIN_PROHIBITED, "timeout=4s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("admin.prohibited");
        assertThat(r.outcome()).isEqualTo("prohibited");
    }

    @Test
    void ipv6DestinationWithoutARouteIsRouteNone() {
        var r = probe("host=2001:db8::5", "port=80");
        assertThat(r.cause()).as(r.toString()).isEqualTo("route.none");
    }

    /** Another plugin's {@code Tcp.connect} hears what tcp.connect hears: the router and its ICMP, in one budget. */
    @Test
    void spiConnectNamesTheRouterThatAnsweredNetUnreachable() {
        var r = RunProbeMain.runIn(lab, client, SpiTcpProbe.class, "host=198.19.7.7", "port=80");
        assertThat(r.cause()).as(r.toString()).isEqualTo("net.unreachable");
        assertThat(r.summary()).contains(SERVER + " has no route onwards");
        assertThat(r.facts()).containsEntry("icmp_from", SERVER);
    }

    @Test
    void spiConnectToADroppedPortIsFilteredWithinItsBudget() {
        var r = RunProbeMain.runIn(lab, client, SpiTcpProbe.class, "host=" + SERVER, "port=" + DROPPED, "timeout=300ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.filtered");
        assertThat(Double.parseDouble(r.facts().get("connect_ms"))).isBetween(280.0, 1000.0);
    }

    @Test
    void spiConnectToAnAdminProhibitedPortNamesTheFirewall() {
        var r = RunProbeMain.runIn(lab, client, SpiTcpProbe.class, "host=" + SERVER, "port=" + ADMIN_PROHIBITED);
        assertThat(r.cause()).as(r.toString()).isEqualTo("admin.prohibited");
        assertThat(r.facts()).containsEntry("icmp_from", SERVER);
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, client, TcpConnectProbe.class, keyValues);
    }

    private static void reject(String ns, String tool, int port, String target, String... options) {
        String[] rule = {tool, "-A", "INPUT", "-p", "tcp", "--dport", String.valueOf(port), "-j", target};
        String[] command = java.util.stream.Stream.concat(java.util.Arrays.stream(rule), java.util.Arrays.stream(options))
                .toArray(String[]::new);
        lab.exec(ns, command).orThrow();
    }
}
