package dev.reach.shell.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The history on a real SQLite file: what goes in comes back, writers at once never corrupt it, and it stays bounded. */
class HistoryStoreTest {
    @TempDir
    Path dir;

    @Test
    void runsComeBackWithTheirFactsAndTheLastOneThatWorkedIsFound() throws Exception {
        Path file = dir.resolve("state/reach/history.db");
        try (HistoryStore store = HistoryStore.open(file, HistoryStore.DEFAULT_MAX_RUNS)) {
            RunRecord first = store.record(Runs.record(0, 0, "ok", Map.of("address", "198.18.2.2 (hosts)"), 0.4));
            store.record(Runs.record(0, 1, "ok", Map.of("address", "198.18.2.2 (hosts)"), 0.5));
            RunRecord fault = store.record(Runs.record(0, 2, "host.down", Map.of("address", "198.18.2.99 (hosts)"), -1));
            assertThat(first.id()).isEqualTo(1);
            assertThat(fault.id()).isEqualTo(3);
            assertThat(store.run(1)).contains(first);
            assertThat(store.lastWorked("db01:5432", "unreachable", 0)).map(RunRecord::id).contains(2L);
            assertThat(store.lastWorked("db01:5432", "unreachable", 2)).map(RunRecord::id).contains(1L);
            assertThat(store.lastWorked("db01:5432", "other", 0)).isEmpty();
            assertThat(store.runs("db01:5432", null, 2)).extracting(RunRecord::id).containsExactly(2L, 3L);
            assertThat(store.runs(null, Runs.T0.plusSeconds(90), 50)).extracting(RunRecord::id).containsExactly(3L);
            assertThat(store.run(3).orElseThrow().facts()).containsEntry("address", "198.18.2.99 (hosts)");
            assertThat(store.run(3).orElseThrow().metrics()).doesNotContainKey("rtt_ms");
        }
        assertThat(Files.getPosixFilePermissions(file.getParent()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE]");
    }

    @Test
    void threadsAndProcessesWritingAtOnceLoseNothingAndLeaveItWhole() throws Exception {
        Path file = dir.resolve("history.db");
        try (HistoryStore store = HistoryStore.open(file, HistoryStore.DEFAULT_MAX_RUNS)) {
            store.record(Runs.record(0, 0, "ok", Map.of(), 0.4));    // made, in WAL mode, before the writers start
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> processes = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            processes.add(new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    HistoryWriter.class.getName(), file.toString(), "60").redirectErrorStream(true).start());
        }
        ExecutorService threads = Executors.newFixedThreadPool(3);
        List<Future<?>> writes = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            writes.add(threads.submit(() -> {
                try (HistoryStore own = HistoryStore.open(file, HistoryStore.DEFAULT_MAX_RUNS)) {   // a connection each, as separate runs have
                    for (int i = 0; i < 60; i++) own.record(Runs.record(0, i, "ok", Map.of("route", "via " + i), 0.3));
                }
                return null;
            }));
        }
        for (Future<?> w : writes) w.get(60, TimeUnit.SECONDS);
        threads.shutdown();
        for (Process p : processes) {
            try {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(new String(p.getInputStream().readAllBytes())).contains("wrote 60");
                assertThat(p.exitValue()).isZero();
            } finally {
                p.destroyForcibly();
            }
        }
        try (HistoryStore store = HistoryStore.open(file, HistoryStore.DEFAULT_MAX_RUNS)) {
            assertThat(store.runs(null, null, 10_000)).hasSize(1 + 3 * 60 + 3 * 60);
            assertThat(store.intact()).isTrue();
        }
    }

    @Test
    void theOldestRunsGoPastTheBound() throws Exception {
        try (HistoryStore store = HistoryStore.open(dir.resolve("h.db"), 100)) {
            for (int i = 0; i < 250; i++) store.record(Runs.record(0, i, "ok", Map.of(), 0.3));
            List<RunRecord> kept = store.runs(null, null, 10_000);
            assertThat(kept.size()).isBetween(100, 199);
            assertThat(kept.getLast().id()).isEqualTo(250);
            assertThat(kept.getFirst().id()).isGreaterThan(100);
        }
    }

    @Test
    void theEnvironmentSaysWhereAndWhether() {
        Map<String, String> env = new java.util.HashMap<>(Map.of("HOME", "/home/ann"));
        assertThat(History.location(env::get)).contains(Path.of("/home/ann/.local/state/reach/history.db"));
        env.put("XDG_STATE_HOME", "/var/state");
        assertThat(History.location(env::get)).contains(Path.of("/var/state/reach/history.db"));
        env.put("REACH_HISTORY", "off");
        assertThat(History.location(env::get)).isEmpty();
        env.put("REACH_HISTORY", "/tmp/h.db");
        assertThat(History.location(env::get)).contains(Path.of("/tmp/h.db"));
        env.put("REACH_HISTORY_MAX_RUNS", "5");
        assertThat(History.maxRuns(env::get)).isEqualTo(100);
    }
}
