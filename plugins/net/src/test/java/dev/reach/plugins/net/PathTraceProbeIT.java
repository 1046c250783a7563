package dev.reach.plugins.net;

import dev.reach.testkit.Daemon;
import dev.reach.testkit.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.reach.plugins.net.PathLab.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** path.trace from the client namespace of a {@link PathLab}, by each method. */
class PathTraceProbeIT {
    private static final String LISTEN = "import socket,sys,time\n"
            + "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64); print('listening', flush=True); time.sleep(120)\n";
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
        assertThat(r.facts()).containsEntry("hop_count", "2").containsEntry("last_hop", SERVER).containsEntry("end", "port-unreachable")
                .containsEntry("method", "udp").containsEntry("port", "33434").doesNotContainKey("fallback_reason");
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

    @Test
    void icmpEchoTraceReachesTheServerThroughTheRouter() {
        var r = lab.probe(PathTraceProbe.class, "host=" + SERVER, "method=icmp", "timeout=500ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("method", "icmp").containsEntry("hop_count", "2").containsEntry("end", "echo-reply")
                .doesNotContainKey("port");
        assertThat(r.evidence()).anyMatch(l -> l.startsWith(" 1  " + ROUTER + " ")).anyMatch(l -> l.startsWith(" 2  " + SERVER + " "));
    }

    @Test
    void icmpTraceGoesThroughWhereTheRouterDropsUdp() {
        lab.lab.exec(lab.router, "iptables", "-I", "FORWARD", "-d", SERVER, "-p", "udp", "-j", "DROP").orThrow();
        try {
            var udp = lab.probe(PathTraceProbe.class, "host=" + SERVER, "method=udp", "count=1", "timeout=300ms", "max_hops=3");
            assertThat(udp.outcome()).as(udp.toString()).isEqualTo("incomplete");
            var icmp = lab.probe(PathTraceProbe.class, "host=" + SERVER, "method=icmp", "count=1", "timeout=300ms", "max_hops=3");
            assertThat(icmp.outcome()).as(icmp.toString()).isEqualTo("reached");
            assertThat(icmp.facts()).containsEntry("last_hop", SERVER);
        } finally {
            lab.lab.exec(lab.router, "iptables", "-D", "FORWARD", "-d", SERVER, "-p", "udp", "-j", "DROP").orThrow();
        }
    }

    @Test
    void icmpUsesAPingSocketWhereThePingGroupRangeAllowsIt() {
        lab.lab.exec(lab.client, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647").orThrow();
        try {
            var ok = lab.probe(PathTraceProbe.class, "host=" + SERVER, "method=icmp", "count=2", "timeout=500ms");
            assertThat(ok.status()).as(ok.toString()).isEqualTo("ok");
            assertThat(ok.evidence().getFirst()).contains("ICMP echo on a datagram socket");
            assertThat(ok.evidence()).anyMatch(l -> l.startsWith(" 1  " + ROUTER + " "));
            var rejected = lab.probe(PathTraceProbe.class, "host=" + PROHIBITED_HOST, "method=icmp", "count=1", "timeout=500ms");
            assertThat(rejected.cause()).as(rejected.toString()).isEqualTo("admin.prohibited");
            assertThat(rejected.facts()).containsEntry("last_hop", ROUTER);
        } finally {
            lab.lab.exec(lab.client, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=1 0").orThrow();
        }
    }

    @Test
    void tcpToAListeningPortIsReachedOpenAfterTheRouter() {
        Daemon.assumeTool("python3");
        try (Netns.Spawned listener = lab.lab.spawn(lab.server, "python3", "-c", LISTEN, SERVER, "8080")) {
            assertThat(listener.awaitOutput("listening", Duration.ofSeconds(10))).as(listener.output()).isTrue();
            var r = lab.probe(PathTraceProbe.class, "host=" + SERVER, "method=tcp", "port=8080", "timeout=500ms");
            assertThat(r.status()).as(r.toString()).isEqualTo("ok");
            assertThat(r.facts()).containsEntry("method", "tcp").containsEntry("port", "8080").containsEntry("end", "open")
                    .containsEntry("hop_count", "2");
            assertThat(r.summary()).endsWith("(SYN-ACK from " + SERVER + ":8080, port open)");
            assertThat(r.evidence()).anyMatch(l -> l.startsWith(" 1  " + ROUTER + " "));
        }
    }

    @Test
    void tcpToAClosedPortIsReachedRefused() {
        var r = lab.probe(PathTraceProbe.class, "host=" + SERVER, "method=tcp", "port=81", "count=2", "timeout=500ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("end", "refused").containsEntry("last_hop", SERVER).containsEntry("hop_count", "2");
        assertThat(r.evidence()).anyMatch(l -> l.startsWith(" 1  " + ROUTER + " "));
    }

    @Test
    void tcpTowardsADroppedHostEndsAtTheRouter() {
        var r = lab.probe(PathTraceProbe.class, "host=" + DROPPED_HOST, "method=tcp", "port=443", "count=1", "timeout=300ms", "max_hops=3");
        assertThat(r.outcome()).as(r.toString()).isEqualTo("incomplete");
        assertThat(r.facts()).containsEntry("last_hop", ROUTER).containsEntry("method", "tcp");
    }

    @Test
    void tcpTowardsAProhibitedHostNamesTheRouter() {
        var r = lab.probe(PathTraceProbe.class, "host=" + PROHIBITED_HOST, "method=tcp", "port=443", "count=1", "timeout=500ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("admin.prohibited");
        assertThat(r.summary()).contains("hop 2 " + ROUTER + " answered ICMP 3/13 admin-prohibited");
    }

    @Test
    void systemTracepathReachesTheServer(@TempDir Path bin) throws IOException {
        var r = lab.probe(List.of("PATH=" + only(bin, "tracepath", "iputils-tracepath")), List.of(), PathTraceProbe.class,
                "host=" + SERVER, "method=system", "max_hops=4");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("method", "system").containsEntry("tool", "tracepath").containsEntry("hop_count", "2")
                .containsEntry("last_hop", SERVER);
        assertThat(r.evidence().getFirst()).startsWith("trace by " + bin.resolve("tracepath") + " -n -m 4 " + SERVER);
        assertThat(r.evidence()).anyMatch(l -> l.startsWith(" 1  " + ROUTER + " "));
    }

    @Test
    void systemTracerouteNamesTheRoutersAdminProhibitedAndTheSilence(@TempDir Path bin) throws IOException {
        List<String> path = List.of("PATH=" + only(bin, "traceroute", "traceroute"));
        var rejected = lab.probe(path, List.of(), PathTraceProbe.class, "host=" + PROHIBITED_HOST, "method=system", "count=2", "timeout=500ms");
        assertThat(rejected.cause()).as(rejected.toString()).isEqualTo("admin.prohibited");
        assertThat(rejected.facts()).containsEntry("tool", "traceroute").containsEntry("last_hop", ROUTER).containsEntry("end", "admin-prohibited");
        var dropped = lab.probe(path, List.of(), PathTraceProbe.class, "host=" + DROPPED_HOST, "method=system", "count=1",
                "timeout=300ms", "max_hops=3");
        assertThat(dropped.outcome()).as(dropped.toString()).isEqualTo("incomplete");
        assertThat(dropped.facts()).containsEntry("last_hop", ROUTER);
    }

    @Test
    void systemWithNeitherToolIsSkippedSayingSo(@TempDir Path empty) {
        var r = lab.probe(List.of("PATH=" + empty), List.of(), PathTraceProbe.class, "host=" + SERVER, "method=system");
        assertThat(r.status()).as(r.toString()).isEqualTo("skipped");
        assertThat(r.summary()).contains("tracepath/traceroute not installed");
    }

    @Test
    void autoFallsBackToTheSystemToolWhenTheJvmMayNotCallNativeCode() {
        assumeTrue(Daemon.findTool("tracepath").isPresent() || Daemon.findTool("traceroute").isPresent(),
                "neither tracepath nor traceroute is installed (apt-get install iputils-tracepath traceroute)");
        var r = lab.probe(List.of(), List.of("--illegal-native-access=deny"), PathTraceProbe.class, "host=" + SERVER, "timeout=500ms", "max_hops=4");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("method", "system").containsEntry("last_hop", SERVER);
        assertThat(r.facts().get("fallback_reason")).contains("may not call native code");
        assertThat(r.summary()).contains("; traced by ");
        var explicit = lab.probe(List.of(), List.of("--illegal-native-access=deny"), PathTraceProbe.class, "host=" + SERVER, "method=udp");
        assertThat(explicit.status()).as(explicit.toString()).isEqualTo("skipped");
    }

    /** A directory holding only that tool (a script exec'ing it), to put alone on PATH; skips the test when it is not installed. */
    private static String only(Path bin, String tool, String aptPackage) throws IOException {
        var found = Daemon.findTool(tool, "/usr/sbin", "/sbin");
        assumeTrue(found.isPresent(), tool + " is not installed (apt-get install " + aptPackage + ")");
        Path script = Files.writeString(bin.resolve(tool), "#!/bin/sh\nexec " + found.get() + " \"$@\"\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        return bin.toString();
    }
}
