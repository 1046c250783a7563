package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * sysctl.check on a multi-homed server: linked to a client (198.18.0.2 / .1) and to a router (198.18.1.2 /
 * .1), strict rp_filter, and the route back to the client's second network (198.19.50.0/24) through the
 * router: packets from 198.19.50.1 arriving over the client link have an asymmetric return path. The
 * traffic tests build a lab each (see {@link Traffic}): a client retrying connects through a router to a
 * server linked to that router twice.
 */
class SysctlCheckProbeIT {
    private static Netns lab;
    private static String server;
    private static String client;
    private static Netns.Link toClient;
    private static Netns.Link toRouter;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "sysctl", "python3");
        lab = Netns.create();
        server = lab.namespace("srv");
        client = lab.namespace("cli");
        toClient = lab.link(server, "198.18.0.2/24", client, "198.18.0.1/24");
        toRouter = lab.link(server, "198.18.1.2/24", lab.namespace("rtr"), "198.18.1.1/24");
        lab.route(server, "198.19.50.0/24", "198.18.1.1");
        sysctl("net.ipv4.conf.all.rp_filter=1");
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void strictRpFilterWithAsymmetricReturnIsRpfilterDropConfirmedByTheKernel() {
        var r = probe("host=198.19.50.1", "interface=" + toClient.devA(), "interval=0ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.cause()).isEqualTo("rpfilter.drop");
        assertThat(r.facts()).containsEntry("return_dev", toRouter.devA()).containsEntry("multi_homed", "true");
        assertThat(r.evidence()).contains("ip route get 198.18.0.2 from 198.19.50.1 iif " + toClient.devA()
                + " -> RTNETLINK answers: Invalid argument");
    }

    @Test
    void withoutTheArrivalInterfaceAndNothingDroppedTheAsymmetryIsOnlyARisk() {
        var r = probe("host=198.19.50.1", "interval=0ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("warn");
        assertThat(r.cause()).isEqualTo("sysctl.risky");
        assertThat(r.summary()).contains("arriving on " + toClient.devA() + " would be dropped").contains("leaves by " + toRouter.devA())
                .contains("no packet was dropped by it so far");
    }

    @Test
    void peerWhoseRouteBackIsSymmetricIsFine() {
        var r = probe("host=198.18.0.1", "interface=" + toClient.devA(), "interval=0ms");
        assertThat(r.cause()).as(r.toString()).isNotEqualTo("rpfilter.drop");
    }

    @Test
    void tinySomaxconnIsSysctlRisky() {
        var r = RunProbeMain.runIn(lab, client, SysctlCheckProbe.class);
        assertThat(r.status()).as("a fresh single-homed namespace: " + r).isEqualTo("ok");
        lab.exec(client, "sysctl", "-q", "-w", "net.core.somaxconn=16").orThrow();
        var risky = RunProbeMain.runIn(lab, client, SysctlCheckProbe.class);
        assertThat(risky.cause()).as(risky.toString()).isEqualTo("sysctl.risky");
        assertThat(risky.summary()).startsWith("net.core.somaxconn = 16:");
    }

    @Test
    void clientsDroppedByStrictRpFilterAreRpfilterDropOnceTheCounterRises() {
        try (Traffic t = new Traffic(false, "0.0.0.0")) {
            var r = t.probe("interval=1s");
            assertThat(r.status()).as(r.toString()).isEqualTo("fail");
            assertThat(r.cause()).isEqualTo("rpfilter.drop");
            assertThat(r.facts()).containsEntry("outcome", "rpfilter-dropping").containsEntry("strict", t.toA + "," + t.toB);
            assertThat(Long.parseLong(r.facts().get("rpfilter_drops"))).isPositive();
            assertThat(r.summary()).startsWith("net.ipv4.conf.all.rp_filter = 1: strict reverse-path filtering drops packets; " + t.toB
                    + " (198.18.3.2/24) routes back only to 198.18.3.0/24; the routes to other networks leave by " + t.toA
                    + " (198.18.4.0/24 via 198.18.2.1 dev " + t.toA + ")");
            assertThat(t.client.output()).doesNotContain("connected");
        }
    }

    @Test
    void aPeerArrivingWhereThePortListensIsConfirmedByTheKernel() {
        try (Traffic t = new Traffic(false, "198.18.3.2")) {
            var r = t.probe("host=198.18.4.1", "port=80", "interval=0ms");
            assertThat(r.status()).as(r.toString()).isEqualTo("fail");
            assertThat(r.facts()).containsEntry("outcome", "rpfilter-confirmed").containsEntry("return_dev", t.toA);
            assertThat(r.summary()).startsWith("net.ipv4.conf.all.rp_filter = 1: packets from 198.18.4.1 arriving on " + t.toB
                    + " are dropped by strict rp_filter: the route back leaves by " + t.toA + " (asymmetric path)");
            assertThat(r.evidence()).contains("port 80 listens on 198.18.3.2 of " + t.toB + ": clients' packets arrive there",
                    "ip route get 198.18.3.2 from 198.18.4.1 iif " + t.toB + " -> RTNETLINK answers: Invalid argument");
        }
    }

    @Test
    void aPeerOfAWildcardListenerWithDropsCountedIsDropping() {
        try (Traffic t = new Traffic(false, "0.0.0.0")) {
            var r = t.probe("host=198.18.4.1", "port=80", "interval=1s");
            assertThat(r.status()).as(r.toString()).isEqualTo("fail");
            assertThat(r.facts()).containsEntry("outcome", "rpfilter-dropping");
            assertThat(r.summary()).contains("packets from 198.18.4.1 arriving on " + t.toB + " are dropped by strict rp_filter");
        }
    }

    @Test
    void symmetricRouteBackWithStrictRpFilterIsNoDrop() {
        try (Traffic t = new Traffic(true, "0.0.0.0")) {
            var counted = t.probe("interval=1s");
            var peer = t.probe("host=198.18.4.1", "port=80", "interval=1s");
            assertThat(t.client.output()).as("the client's connects pass").contains("connected");
            for (var r : List.of(counted, peer)) {
                assertThat(r.cause()).as(r.toString()).isEqualTo("sysctl.risky");
                assertThat(r.facts()).containsEntry("outcome", "risky").containsEntry("rpfilter_drops_total", "0");
            }
            // where the wildcard listener's packets arrive is not known: the other interface is named as a risk only
            assertThat(peer.summary()).contains("packets from 198.18.4.1 arriving on " + t.toA + " would be dropped by strict rp_filter");
        }
    }

    /**
     * A client (198.18.4.1) behind a router that reaches the server on two links, 198.18.2.2 (toA) and 198.18.3.2
     * (toB); the client retries connects to 198.18.3.2:80 every ~250 ms for at most 30 s; the server's rp_filter
     * is strict, and its route back to the client leaves by toB when {@code symmetric}, else by toA.
     */
    private static final class Traffic implements AutoCloseable {
        private static final String CONNECTS = """
                import socket, sys, time
                end = time.time() + 30
                while time.time() < end:
                    s = socket.socket(); s.settimeout(0.2)
                    try:
                        s.connect(('198.18.3.2', 80)); print('connected', flush=True)
                    except OSError as e:
                        print('failed', e, flush=True)
                    s.close(); time.sleep(0.05)
                """;
        private static final String LISTENS = """
                import socket, sys, time
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((sys.argv[1], 80)); s.listen(64); s.settimeout(1); print('listening', flush=True)
                end = time.time() + 60
                while time.time() < end:
                    try:
                        s.accept()[0].close()
                    except OSError:
                        pass
                """;
        final Netns lab = Netns.create();
        final String server;
        final String toA;
        final String toB;
        final Netns.Spawned client;

        Traffic(boolean symmetric, String bind) {
            try {
                String cli = lab.namespace("cli");
                String rtr = lab.namespace("rtr");
                server = lab.namespace("srv");
                lab.link(cli, "198.18.4.1/24", rtr, "198.18.4.254/24");
                toA = lab.link(server, "198.18.2.2/24", rtr, "198.18.2.1/24").devA();
                toB = lab.link(server, "198.18.3.2/24", rtr, "198.18.3.1/24").devA();
                lab.exec(rtr, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").orThrow();
                lab.route(cli, "198.18.0.0/15", "198.18.4.254");
                lab.route(server, "198.18.4.0/24", symmetric ? "198.18.3.1" : "198.18.2.1");
                lab.exec(server, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1").orThrow();
                Netns.Spawned listener = lab.spawn(server, "python3", "-c", LISTENS, bind);
                assertThat(listener.awaitOutput("listening", Duration.ofSeconds(10))).as(listener.output()).isTrue();
                client = lab.spawn(cli, "python3", "-c", CONNECTS);
                assertThat(client.awaitOutput(symmetric ? "connected" : "failed", Duration.ofSeconds(10))).as(client.output()).isTrue();
            } catch (RuntimeException | AssertionError e) {
                lab.close();
                throw e;
            }
        }

        RunProbeMain.Line probe(String... keyValues) {
            return RunProbeMain.runIn(lab, server, SysctlCheckProbe.class, keyValues);
        }

        @Override
        public void close() {
            lab.close();
        }
    }

    private static void sysctl(String setting) {
        lab.exec(server, "sysctl", "-q", "-w", setting).orThrow();
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, server, SysctlCheckProbe.class, keyValues);
    }
}
