package dev.reach.plugins.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.reach.plugins.net.PathLab.*;
import static org.assertj.core.api.Assertions.assertThat;

/** path.trace from the client namespace of a {@link PathLab}. */
class PathTraceProbeIT {
    private static PathLab lab;

    @BeforeAll
    static void build() {
        lab = PathLab.build();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
    }

    @Test
    void serverIsReachedThroughTheRouter() {
        var r = lab.probe(PathTraceProbe.class, "host=" + SERVER, "timeout=500ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("hop_count", "2").containsEntry("last_hop", SERVER).containsEntry("end", "port-unreachable");
        assertThat(r.evidence()).anyMatch(l -> l.startsWith(" 1  " + ROUTER + " ")).anyMatch(l -> l.startsWith(" 2  " + SERVER + " "));
    }

    @Test
    void unroutedNetworkEndsAtTheRoutersNetUnreachable() {
        var r = lab.probe(PathTraceProbe.class, "host=" + NO_NET, "timeout=500ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("net.unreachable");
        // routers rate-limit unreachables (1/s after a short burst), so which TTL carried it may vary
        assertThat(r.facts()).containsEntry("last_hop", ROUTER).containsEntry("end", "net-unreachable");
        assertThat(r.summary()).contains(ROUTER + " answered ICMP 3/0 net-unreachable from " + ROUTER);
    }

    @Test
    void droppedHostIsIncompleteAfterTheRouter() {
        var r = lab.probe(PathTraceProbe.class, "host=" + DROPPED_HOST, "timeout=300ms", "count=1", "max_hops=4");
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.outcome()).isEqualTo("incomplete");
        assertThat(r.facts()).containsEntry("last_hop", ROUTER).containsEntry("end", "silence");
    }
}
