package dev.reach.plugins.host;

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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * neigh.check on one switched segment: a bridge namespace joins a client (198.18.9.1), a host (.2) and two
 * namespaces that both claim 198.18.9.5. The client routes 198.19.4.0/24 via 198.18.9.254, which nobody owns.
 */
class NeighCheckProbeIT {
    private static final String TRIGGER = """
            import socket, sys
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', (sys.argv[1], 9))
            """;
    private static Netns lab;
    private static String client;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "python3");
        lab = Netns.create();
        String sw = lab.namespace("sw");
        client = lab.namespace("cli");
        lab.exec(sw, "ip", "link", "add", "br0", "type", "bridge").orThrow();
        lab.exec(sw, "ip", "link", "set", "br0", "up").orThrow();
        String[][] hosts = {{client, "198.18.9.1/24"}, {lab.namespace("host"), "198.18.9.2/24"},
                {lab.namespace("dupa"), "198.18.9.5/24"}, {lab.namespace("dupb"), "198.18.9.5/24"}};
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
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        lab.exec(client, python, "-c", TRIGGER, "198.19.4.4").orThrow();
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
        assumeTrue(dev.reach.core.run.HostPrivileges.current().tool("arping").isPresent(),
                "skipped: arp.conflict needs arping (apt package arping or iputils-arping)");
        var r = probe("host=198.18.9.5", "resolve=true", "count=2", "timeout=2s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("arp.conflict");
        assertThat(r.facts().get("macs").split(",")).hasSize(2);
        assertThat(r.facts()).containsEntry("conflict_check", "arping");
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, client, NeighCheckProbe.class, keyValues);
    }
}
