package dev.reach.bench;

import dev.reach.shell.history.Drift;
import dev.reach.shell.history.HistoryStore;
import dev.reach.shell.history.RunRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The run history's cost per run, on a real SQLite file in the temporary directory holding 2 000 runs already:
 * {@code record} is the write after each report (one INSERT in WAL mode, synchronous=NORMAL); {@code amend} is
 * what a verdict asks before its report (the last run that worked, and the 30 healthy runs of the baseline, with
 * the baseline's median and MAD).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HistoryBench {
    private Path dir;
    private HistoryStore store;
    private RunRecord run;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("reach-history-bench");
        store = HistoryStore.open(dir.resolve("history.db"), HistoryStore.DEFAULT_MAX_RUNS);
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("address", "198.18.2.2 (hosts)");
        facts.put("route", "via 198.18.0.254 dev eth0 src 198.18.0.1");
        facts.put("next_hop", "02:00:00:00:00:01 (198.18.0.254)");
        facts.put("mtu", "eth0 1500");
        facts.put("certificate", "sha256 0123456789abcdef 'CN=db01' until 2027-01-01T00:00:00Z");
        run = new RunRecord(0, "db01:5432", "unreachable", Instant.now(), 250.0, "ok", "certain", true, "db01:5432 answers",
                "cli", facts, Map.of("rtt_ms", 0.4, "loss_pct", 0.0, "tcp_rtt_ms", 0.3, "connect_ms", 1.2));
        for (int i = 0; i < 2000; i++) store.record(i % 10 == 0 ? new RunRecord(0, "web01:443", "unreachable", Instant.now(), 300.0,
                "ok", "certain", true, "web01 answers", "cli", facts, run.metrics()) : run);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Benchmark
    public RunRecord record() throws IOException {
        return store.record(run);
    }

    @Benchmark
    public Object amend() throws IOException {
        var last = store.lastWorked("db01:5432", "unreachable", 0);
        return Drift.departure(run, store.worked("db01:5432", "unreachable", 0, Drift.BASELINE_RUNS)).isPresent() ? last : null;
    }
}
