package dev.reach.core;

import dev.reach.spi.Observation;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ReachPrepareTest {
    @TempDir
    Path dir;

    /** Records its prepare() calls and the thread they came on. */
    static class Preparing implements Probe {
        final ProbeSpec spec;
        final CopyOnWriteArrayList<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch prepared = new CountDownLatch(1);

        Preparing(String id) {
            spec = ProbeSpec.builder(id, "Counts prepare() calls").build();
        }

        public ProbeSpec spec() { return spec; }

        @Override
        public void prepare() {
            calls.add(Thread.currentThread().getName());
            prepared.countDown();
        }

        public Observation run(ProbeContext ctx, Params p) {
            return Observation.ok("ran").build();
        }
    }

    @Test
    void probesAPlaybookNamesArePreparedOnceInTheBackgroundOthersNot() throws Exception {
        var named = new Preparing("test.named");
        var nested = new Preparing("test.nested");
        var unnamed = new Preparing("test.unnamed");
        Path file = write("""
                name: prep
                steps:
                  - id: both
                    parallel:
                      - id: a
                        probe: test.named
                      - id: b
                        probe: test.nested
                """);
        try (Reach reach = Reach.builder().warmScripts(false).probe(named).probe(nested).probe(unnamed).build()) {
            reach.load(file);
            assertThat(named.prepared.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(nested.prepared.await(5, TimeUnit.SECONDS)).isTrue();
            reach.load(file); // once per process: a second load asks nothing more
            awaitPreparing(); // a thread a load starts for prepare() exists when load returns: once they end, all calls are in
            assertThat(named.calls).containsExactly("prepare-probes");
            assertThat(nested.calls).hasSize(1);
            assertThat(unnamed.calls).isEmpty();
        }
    }

    /** Waits (at most 5 s) for every thread preparing probes to end. */
    private static void awaitPreparing() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("prepare-probes")) {
                t.join(5_000);
                assertThat(t.isAlive()).as("a prepare-probes thread still runs after 5 s").isFalse();
            }
        }
    }

    @Test
    void aProbeWhosePrepareThrowsStillRuns() throws Exception {
        Probe throwing = new Preparing("test.throwing") {
            @Override
            public void prepare() {
                prepared.countDown();
                throw new IllegalStateException("no native access here");
            }
        };
        Path file = write("""
                name: prep
                steps:
                  - id: a
                    probe: test.throwing
                """);
        try (Reach reach = Reach.builder().warmScripts(false).probe(throwing).build()) {
            var pb = reach.load(file);
            assertThat(((Preparing) throwing).prepared.await(5, TimeUnit.SECONDS)).isTrue();
            var result = reach.run(pb, java.util.Map.of(), dev.reach.core.run.RunOptions.defaults());
            assertThat(result.steps().getFirst().observation().summary()).isEqualTo("ran");
        }
    }

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, yaml);
        return f;
    }
}
