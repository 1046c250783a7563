package dev.reach.bench;

import dev.reach.core.Reach;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Status;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The playbook runner's own cost: every step calls {@link NoopProbe}, which does no work, so the time of a
 * run is what the engine spends around its {@value #STEPS} steps. Per-step overhead = a run's time / {@value #STEPS}.
 *
 * <ul>
 *   <li>{@code playbookMixed}: 5 steps whose parameter is a path template {@code "${inputs.x}/sN"} (read
 *       without the script engine) and 5 steps with the JavaScript condition {@code steps.s1.status == 'ok'}
 *       (evaluated by GraalJS each time).</li>
 *   <li>{@code playbookPaths}: all 10 steps take a path template; no conditions (no JavaScript at run time).</li>
 *   <li>{@code playbookPlain}: 10 steps with literal parameters, no templates or conditions: the pure runner.</li>
 *   <li>{@code probeSingle}: one probe through {@code Reach.probe(...)} (the {@code reach probe} path).</li>
 *   <li>{@code handoffBaseline}: a control, no reach code: start a virtual thread and wait for its result,
 *       the hand-off the engine makes for every probe; it shows how much of a step is thread wake-ups.</li>
 * </ul>
 *
 * Nothing here touches the network. Run with {@code bench/run.sh} or
 * {@code java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main RunnerBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class RunnerBench {
    /** Steps in each playbook; the per-step figure is a run's time divided by this. */
    public static final int STEPS = 10;

    private static final Map<String, Object> INPUTS = Map.of("x", "/srv/data");
    private static final Map<String, Object> PROBE_PARAMS = Map.of("path", "/srv/data/s1");

    private Path dir;
    private Reach reach;
    private Playbook mixed;
    private Playbook paths;
    private Playbook plain;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("reach-bench");
        reach = Reach.builder().warmScripts(true).probe(new NoopProbe()).build();
        mixed = reach.load(write("mixed.yaml", playbook("bench-mixed", i -> i % 2 == 1
                ? "    with: {path: \"${inputs.x}/s" + i + "\"}\n"
                : "    when: \"steps.s1.status == 'ok'\"\n    with: {path: \"/s" + i + "\"}\n")));
        paths = reach.load(write("paths.yaml", playbook("bench-paths", i -> "    with: {path: \"${inputs.x}/s" + i + "\"}\n")));
        plain = reach.load(write("plain.yaml", playbook("bench-plain", i -> "    with: {path: \"/s" + i + "\"}\n")));
        // A benchmark of an error path would measure the wrong thing: every step must run and say ok.
        check(mixed, reach.run(mixed, INPUTS, RunOptions.defaults()), "/srv/data/s1");
        check(paths, reach.run(paths, INPUTS, RunOptions.defaults()), "/srv/data/s1");
        check(plain, reach.run(plain, INPUTS, RunOptions.defaults()), "/s1");
        RunResult one = reach.probe(NoopProbe.ID, PROBE_PARAMS, RunOptions.defaults());
        if (one.steps().size() != 1 || one.steps().getFirst().status() != Status.OK) {
            throw new IllegalStateException("probe run did not come out ok: " + one.verdict());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (reach != null) reach.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public RunResult playbookMixed() throws Exception {
        return reach.run(mixed, INPUTS, RunOptions.defaults());
    }

    @Benchmark
    public RunResult playbookPaths() throws Exception {
        return reach.run(paths, INPUTS, RunOptions.defaults());
    }

    @Benchmark
    public RunResult playbookPlain() throws Exception {
        return reach.run(plain, INPUTS, RunOptions.defaults());
    }

    @Benchmark
    public RunResult probeSingle() throws Exception {
        return reach.probe(NoopProbe.ID, PROBE_PARAMS, RunOptions.defaults());
    }

    /**
     * Control, not reach code: the hand-off {@code ProbeInvoker} does for every probe, alone. Start a virtual
     * thread that completes a future, and wait for it (or a cancellation signal) with a timeout.
     */
    @Benchmark
    public Object handoffBaseline() throws Exception {
        CompletableFuture<Object> result = new CompletableFuture<>();
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        Thread.ofVirtual().name("probe-bench.noop").start(() -> result.complete(PROBE_PARAMS));
        return CompletableFuture.anyOf(result, cancelled).get(30_500, TimeUnit.MILLISECONDS);
    }

    /** A playbook of {@value #STEPS} steps s1..s10 calling the no-op probe; {@code body} gives each step's lines after probe:. */
    static String playbook(String name, java.util.function.IntFunction<String> body) {
        StringBuilder y = new StringBuilder()
                .append("name: ").append(name).append('\n')
                .append("inputs:\n  x: {type: string, default: /srv/data, description: a path prefix}\n")
                .append("steps:\n");
        for (int i = 1; i <= STEPS; i++) {
            y.append("  - id: s").append(i).append('\n')
                    .append("    probe: ").append(NoopProbe.ID).append('\n')
                    .append(body.apply(i));
        }
        return y.toString();
    }

    private Path write(String file, String text) throws IOException {
        return Files.writeString(dir.resolve(file), text, StandardCharsets.UTF_8);
    }

    private static void check(Playbook pb, RunResult r, String firstPath) {
        if (r.steps().size() != STEPS) {
            throw new IllegalStateException(pb.name() + ": ran " + r.steps().size() + " steps, expected " + STEPS + ": " + r.verdict());
        }
        for (StepResult s : r.steps()) {
            if (s.status() != Status.OK) {
                throw new IllegalStateException(pb.name() + ": step " + s.id() + " is " + s.status() + ": " + s.observation());
            }
        }
        Object path = r.steps().getFirst().observation().facts().get("path");
        if (!firstPath.equals(path)) {
            throw new IllegalStateException(pb.name() + ": step s1 saw path " + path + ", expected " + firstPath);
        }
    }
}
