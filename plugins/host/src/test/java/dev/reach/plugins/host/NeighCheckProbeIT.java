package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * neigh.check on one switched segment: a bridge namespace joins a client (198.18.9.1), a host (.2), two
 * namespaces that both claim 198.18.9.5, and a router (198.18.9.253, forwarding to 198.19.5.0/24) beside an
 * imposter that holds the router's address too and forwards nothing. The client routes 198.19.4.0/24 via
 * 198.18.9.254, which nobody owns, and 198.19.5.0/24 via the router's address.
 */
class NeighCheckProbeIT {
    private static final String TRIGGER = """
            import socket, sys
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', (sys.argv[1], 9))
            """;
    /** A TCP connect to port 9 of the address: refused when it arrives, silent when the packets go nowhere. */
    private static final String CONNECT = """
            import socket, sys
            s = socket.socket(); s.settimeout(1)
            try:
                s.connect((sys.argv[1], 9)); print('connected')
            except ConnectionRefusedError:
                print('refused')
            except OSError as e:
                print('silent', e)
            """;
    private static Netns lab;
    private static String client;
    private static String routerMac;
    private static String imposterMac;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "python3");
        lab = Netns.create();
        String sw = lab.namespace("sw");
        client = lab.namespace("cli");
        lab.exec(sw, "ip", "link", "add", "br0", "type", "bridge").orThrow();
        lab.exec(sw, "ip", "link", "set", "br0", "up").orThrow();
        String[][] hosts = {{client, "198.18.9.1/24"}, {lab.namespace("host"), "198.18.9.2/24"},
                {lab.namespace("dupa"), "198.18.9.5/24"}, {lab.namespace("dupb"), "198.18.9.5/24"},
                {lab.namespace("rtr"), "198.18.9.253/24"}, {lab.namespace("imp"), "198.18.9.253/24"}};
        for (int i = 0; i < hosts.length; i++) {
            String port = "p" + i;
            lab.exec(sw, "ip", "link", "add", port, "type", "veth", "peer", "name", "e0", "netns", hosts[i][0]).orThrow();
            lab.exec(sw, "ip", "link", "set", port, "master", "br0").orThrow();
            lab.exec(sw, "ip", "link", "set", port, "up").orThrow();
            lab.exec(hosts[i][0], "ip", "addr", "add", hosts[i][1], "dev", "e0").orThrow();
            lab.exec(hosts[i][0], "ip", "link", "set", "e0", "up").orThrow();
        }
        lab.route(client, "198.19.4.0/24", "198.18.9.254");
        lab.address(client, "e0", "fd00:198:18:9::1/64");
        String router = hosts[4][0];
        String far = lab.namespace("far");
        lab.link(router, "198.19.5.1/24", far, "198.19.5.5/24");
        lab.exec(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").orThrow();
        lab.route(far, "198.18.9.0/24", "198.19.5.1");
        lab.route(client, "198.19.5.0/24", "198.18.9.253");
        routerMac = lab.exec(router, "cat", "/sys/class/net/e0/address").orThrow().out().strip();
        imposterMac = lab.exec(hosts[5][0], "cat", "/sys/class/net/e0/address").orThrow().out().strip();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void gatewayThatDoesNotExistIsGatewayUnreachableOnceArpFailed() throws InterruptedException {
        // send once, as any connect would, then wait for the kernel to give up (3 probes, 1s apart)
        lab.exec(client, python(), "-c", TRIGGER, "198.19.4.4").orThrow();
        String state = "";
        for (int i = 0; i < 60 && !state.contains("FAILED"); i++) {
            Thread.sleep(100);
            state = lab.exec(client, "ip", "neigh", "show", "to", "198.18.9.254").out();
        }
        var r = probe("host=198.19.4.4");
        assertThat(r.cause()).as(r.toString()).isEqualTo("gateway.unreachable");
        assertThat(r.facts()).containsEntry("role", "gateway").containsEntry("neighbour", "198.18.9.254")
                .containsEntry("state", "FAILED");
        assertThat(r.evidence()).contains("neighbour: 198.18.9.254 dev e0 FAILED");
    }

    @Test
    void onLinkHostNobodyOwnsIsHostUnreachableWhenAskedActively() {
        var r = probe("host=198.18.9.77", "resolve=true", "count=2", "timeout=2s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("host.unreachable");
        assertThat(r.facts()).containsEntry("role", "target");
    }

    @Test
    void ipv6NeighbourNobodyOwnsIsHostUnreachableAfterTheKernelTriedNd() {
        // no arping for IPv6: the probe sends one datagram and waits for the kernel's neighbour solicitation to fail
        var r = probe("host=fd00:198:18:9::77", "resolve=true", "timeout=5s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("host.unreachable");
        assertThat(r.facts()).containsEntry("conflict_check", "IPv6: duplicate answers are not checked");
        assertThat(r.summary()).contains("did not answer neighbour solicitation");
    }

    @Test
    void hostThatAnswersIsResolvedWithItsMac() {
        var r = probe("host=198.18.9.2", "resolve=true", "count=1", "timeout=1s");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.outcome()).isEqualTo("resolved");
        assertThat(r.summary()).matches("198\\.18\\.9\\.2 on e0 (answers ARP from|is at) [0-9a-f:]{17}.*");
    }

    @Test
    void duplicateAddressIsArpConflictWithBothMacs() {
        var r = probe("host=198.18.9.5", "resolve=true", "count=2", "timeout=2s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("arp.conflict");
        assertThat(r.facts().get("macs").split(",")).hasSize(2);
        assertThat(r.facts()).containsEntry("conflict_check", "arp");
    }

    @Test
    void gatewayAnsweredByASecondHostIsArpConflictAtOnce() {
        // as the diagnosis asks it: one request, a short timeout; the second MAC arrives within milliseconds
        long start = System.nanoTime();
        var r = probe("host=198.19.5.5", "resolve=true", "count=1", "timeout=5s");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.cause()).isEqualTo("arp.conflict");
        assertThat(r.facts()).containsEntry("role", "gateway").containsEntry("neighbour", "198.18.9.253");
        assertThat(r.facts().get("macs").split(",")).containsExactlyInAnyOrder(routerMac, imposterMac);
        assertThat(r.summary()).startsWith("2 MACs answer ARP for 198.18.9.253 on e0 (").contains(routerMac).contains(imposterMac);
        assertThat(millis).as("a JVM start and the probe, not the 5 s timeout").isLessThan(4_000);
    }

    @Test
    void entryHoldingTheImpostersMacSendsTrafficNowhereAndIsNamedInTheConflict() {
        lab.ip(client, "neigh", "replace", "198.18.9.253", "lladdr", imposterMac, "dev", "e0", "nud", "reachable");
        try {
            assertThat(lab.exec(client, python(), "-c", CONNECT, "198.19.5.5").orThrow().out()).as("the imposter forwards nothing")
                    .startsWith("silent");
            var r = probe("host=198.19.5.5", "resolve=true", "count=1", "timeout=1s");
            assertThat(r.cause()).as(r.toString()).isEqualTo("arp.conflict");
            assertThat(r.facts()).containsEntry("mac", imposterMac);
            assertThat(r.summary()).contains("the neighbour entry holds " + imposterMac + ", so traffic goes there now");
        } finally {
            lab.ip(client, "neigh", "replace", "198.18.9.253", "lladdr", routerMac, "dev", "e0", "nud", "reachable");
        }
        assertThat(lab.exec(client, python(), "-c", CONNECT, "198.19.5.5").orThrow().out()).as("through the router").startsWith("refused");
    }

    @Test
    void anAnswerEndsTheAskAfterAShortWindowNotTheTimeout() {
        long start = System.nanoTime();
        var r = probe("host=198.18.9.2", "resolve=true", "count=3", "timeout=5s");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.outcome()).as(r.toString()).isEqualTo("resolved");
        assertThat(r.evidence()).anyMatch(e -> e.startsWith("ARP who-has 198.18.9.2 on e0 from 198.18.9.1 (1 request): "));
        assertThat(millis).as("a JVM start, the answer and 250 ms more, not the 5 s timeout").isLessThan(4_000);
    }

    @Test
    void withoutNativeAccessArpingStillHearsTheSecondOwnerOfOneRequest() {
        assumeTrue(dev.reach.core.run.HostPrivileges.current().tool("arping").isPresent(),
                "skipped: the fallback needs arping (apt package arping or iputils-arping)");
        var r = RunProbeMain.runIn(lab, client, List.of(), NeighCheckProbe.class, "host=198.19.5.5", "resolve=true", "count=1", "timeout=1s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("arp.conflict");
        assertThat(r.facts()).containsEntry("conflict_check", "arping");
        assertThat(r.facts().get("macs").split(",")).containsExactlyInAnyOrder(routerMac, imposterMac);
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** A point-to-point link (a tun device, as VPNs use) has no ARP: nothing to resolve, and nothing unresolved. */
    @Test
    void linkWithoutArpHasNoNeighbourToResolve() {
        lab.exec(client, "ip", "tuntap", "add", "dev", "tun9", "mode", "tun").orThrow();
        try {
            lab.exec(client, "ip", "addr", "add", "198.18.60.1/24", "dev", "tun9").orThrow();
            lab.exec(client, "ip", "link", "set", "tun9", "up").orThrow();
            var r = probe("host=198.18.60.5", "resolve=true", "count=1", "timeout=200ms");
            assertThat(r.status()).as(r.toString()).isEqualTo("ok");
            assertThat(r.outcome()).isEqualTo("no-arp");
            assertThat(r.summary()).contains("tun9 is a link without ARP/ND");
        } finally {
            lab.exec(client, "ip", "link", "del", "tun9");
        }
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, client, NeighCheckProbe.class, keyValues);
    }
}
