package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * sysctl.check on a multi-homed server: linked to a client (198.18.0.2 / .1) and to a router (198.18.1.2 /
 * .1), strict rp_filter, and the route back to the client's second network (198.19.50.0/24) through the
 * router: packets from 198.19.50.1 arriving over the client link have an asymmetric return path.
 */
class SysctlCheckProbeIT {
    private static Netns lab;
    private static String server;
    private static String client;
    private static Netns.Link toClient;
    private static Netns.Link toRouter;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "sysctl");
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
        var r = probe("host=198.19.50.1", "interface=" + toClient.devA());
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.cause()).isEqualTo("rpfilter.drop");
        assertThat(r.facts()).containsEntry("return_dev", toRouter.devA()).containsEntry("multi_homed", "true");
        assertThat(r.evidence()).contains("ip route get 198.18.0.2 from 198.19.50.1 iif " + toClient.devA()
                + " -> RTNETLINK answers: Invalid argument");
    }

    @Test
    void withoutTheArrivalInterfaceTheDropIsInferredAndWarns() {
        var r = probe("host=198.19.50.1");
        assertThat(r.status()).as(r.toString()).isEqualTo("warn");
        assertThat(r.cause()).isEqualTo("rpfilter.drop");
        assertThat(r.summary()).contains("arriving on " + toClient.devA()).contains("leaves by " + toRouter.devA());
    }

    @Test
    void peerWhoseRouteBackIsSymmetricIsFine() {
        var r = probe("host=198.18.0.1", "interface=" + toClient.devA());
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

    private static void sysctl(String setting) {
        lab.exec(server, "sysctl", "-q", "-w", setting).orThrow();
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, server, SysctlCheckProbe.class, keyValues);
    }
}
