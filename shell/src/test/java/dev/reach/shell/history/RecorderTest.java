package dev.reach.shell.history;

import dev.reach.core.verdict.CauseCatalog;
import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The recorder end to end on a real file: runs recorded, the digest kept beside them, verdicts amended from it. */
class RecorderTest {
    @TempDir
    Path dir;

    private static dev.reach.core.run.RunResult run(String cause, String address, double rttMs) {
        return Runs.diagnosis(cause, List.of(
                Runs.probe("dns", "dns.resolve", Map.of("name", "db01"), Observation.ok("answered")
                        .fact("system_addresses", List.of(address)).fact("system_source", "hosts").build()),
                Runs.probe("ping", "icmp.ping", Map.of("host", "db01"), Observation.ok("answered")
                        .fact("received", 20).fact("rtt_avg_ms", rttMs).fact("loss_pct", 0.0).build())));
    }

    @Test
    void aFaultSaysWhatChangedAndASlowHealthyRunLeavesItsBaselineFromTheDigest() throws Exception {
        Path file = dir.resolve("history.db");
        CauseCatalog causes = CauseCatalog.load();
        try (Recorder r = Recorder.open(file, HistoryStore.DEFAULT_MAX_RUNS, "cli")) {
            var first = run("ok", "198.18.2.2", 0.40);
            assertThat(r.amend(first, causes)).as("nothing recorded yet: as it was").isSameAs(first);
            for (double rtt : new double[]{0.40, 0.42, 0.38, 0.41, 0.39}) r.record(run("ok", "198.18.2.2", rtt));
        }
        Path digest = HistoryDigest.file(file, "db01:5432", "unreachable");
        assertThat(Files.readAllLines(digest)).hasSize(6).first().isEqualTo("reach history digest 1");

        try (Recorder r = Recorder.open(file, HistoryStore.DEFAULT_MAX_RUNS, "cli")) {
            var fault = r.amend(run("host.down", "198.18.2.99", 0.4), causes);
            assertThat(fault.verdict().evidence().getLast()).isEqualTo("  DNS answer: 198.18.2.2 (hosts) → 198.18.2.99 (hosts)");
            assertThat(fault.verdict().evidence()).anyMatch(l -> l.startsWith("since it last worked ") && l.contains("(run 5, "));

            var slow = r.amend(run("ok", "198.18.2.2", 30.0), causes);
            assertThat(slow.verdict().cause()).isEqualTo("path.latency");
            assertThat(slow.healthy()).isFalse();
            assertThat(slow.verdict().fix()).contains("mtr db01");
            assertThat(slow.verdict().evidence().getFirst()).startsWith("baseline: ICMP round trip 30.0 ms now; usually 0.400 ms (median of 5");
            r.record(slow);
            r.record(fault);
        }
        assertThat(Files.readAllLines(digest)).as("the slow run worked, the fault did not").hasSize(7);

        // the path stays slower: the baseline follows it once most of the runs that worked are slow
        int flagged = 0;
        String last = "";
        try (Recorder r = Recorder.open(file, HistoryStore.DEFAULT_MAX_RUNS, "cli")) {
            for (int i = 0; i < 10; i++) {
                var again = r.amend(run("ok", "198.18.2.2", 30.0 + i % 2), causes);
                last = again.verdict().cause();
                if (last.equals("path.latency")) flagged++;
                r.record(again);
            }
        }
        assertThat(last).isEqualTo("ok");
        assertThat(flagged).as("slow runs flagged before the baseline moved").isBetween(4, 6);

        Files.delete(digest);   // made again from the database, then kept
        try (Recorder r = Recorder.open(file, HistoryStore.DEFAULT_MAX_RUNS, "cli")) {
            assertThat(r.amend(run("ok", "198.18.2.2", 300.0), causes).verdict().cause()).isEqualTo("path.latency");
        }
        assertThat(digest).exists();
    }

    /** A run a verdict cannot compare (no facts, no baseline metric: a scan) is recorded without a digest, and a write leaves no temporary file. */
    @Test
    void aRunWithNothingToCompareIsRecordedWithoutADigest() throws Exception {
        Path file = dir.resolve("history.db");
        var scan = Runs.diagnosis("ok", List.of(Runs.probe("scan", "tcp.scan", Map.of("hosts", "127.0.0.1"),
                Observation.ok("scanned 1 port").fact("scanned", 1).build())));
        assertThat(RunFacts.of(scan, "cli").facts()).as("the scan has no fact to compare").isEmpty();
        try (Recorder r = Recorder.open(file, HistoryStore.DEFAULT_MAX_RUNS, "cli")) {
            assertThat(r.record(scan)).isPresent();
            assertThat(dir.resolve("history.db.d")).doesNotExist();
            r.record(run("ok", "198.18.2.2", 0.40));
        }
        try (var files = Files.list(dir.resolve("history.db.d"))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).singleElement().asString().matches("[0-9a-f]{24}\\.txt");
        }
    }
}
