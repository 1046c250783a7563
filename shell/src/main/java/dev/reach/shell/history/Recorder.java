package dev.reach.shell.history;

import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.Verdict;
import dev.reach.core.verdict.CauseCatalog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A process's link to the run history: lends the verdict what the history knows ({@link #amend}: from the target's
 * {@link HistoryDigest}, a file read, so a command-line run does not open the database before its report), and records
 * each run after its report ({@link #record}), opening the database then (a long-lived process opens it at once,
 * {@link #prepare}). A history that cannot be opened or written never fails a run: {@link #problem} says why, once.
 */
public final class Recorder implements AutoCloseable {
    private static final Recorder OFF = new Recorder(null, 0, "off");

    private final Path file;
    private final int maxRuns;
    private final String origin;
    private CompletableFuture<HistoryStore> store;
    private volatile String problem;
    private boolean told;

    private Recorder(Path file, int maxRuns, String origin) {
        this.file = file;
        this.maxRuns = maxRuns;
        this.origin = origin;
    }

    /** A recorder that records nothing. */
    public static Recorder off() {
        return OFF;
    }

    /**
     * A recorder for the history at {@code file}; runs recorded through it are marked {@code origin} (cli, shell, serve,
     * watch). It opens the history when first asked ({@link #prepare} asks early, in the background).
     */
    public static Recorder open(Path file, int maxRuns, String origin) {
        return new Recorder(file, maxRuns, origin);
    }

    /**
     * Starts opening the history in the background: for a process that records many runs (the shell, {@code reach serve},
     * {@code reach watch}, the resident reach), whose first write then does not wait for it.
     */
    public synchronized Recorder prepare() {
        if (file != null && store == null) {
            CompletableFuture<HistoryStore> f = new CompletableFuture<>();
            Thread.ofVirtual().name("reach-history").start(() -> {
                try {
                    f.complete(HistoryStore.open(file, maxRuns));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            store = f;
        }
        return this;
    }

    /** The recorder the environment asks for ({@link History#location}); off with {@code noHistory}. */
    public static Recorder fromEnvironment(boolean noHistory, String origin, Function<String, String> env) {
        if (noHistory) return OFF;
        return History.location(env).map(file -> open(file, History.maxRuns(env), origin)).orElse(OFF);
    }

    /** The store, once open; empty when history is off or could not be opened. */
    public Optional<HistoryStore> store() {
        if (file == null) return Optional.empty();
        CompletableFuture<HistoryStore> f;
        synchronized (this) {
            if (store == null) {
                store = new CompletableFuture<>();
                try {
                    store.complete(HistoryStore.open(file, maxRuns));
                } catch (Throwable t) {
                    store.completeExceptionally(t);
                }
            }
            f = store;
        }
        try {
            return Optional.of(f.join());
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            problem = cause instanceof IOException ? cause.getMessage() : String.valueOf(cause);
            return Optional.empty();
        }
    }

    /**
     * {@code result} with what the history adds: a faulty verdict gains the facts that changed since the target last
     * worked; a healthy one whose round trip or loss left the target's own baseline becomes {@code path.latency} or
     * {@code path.loss} (likely), with the baseline as evidence. A cancelled run, or one without a history, is returned as it is.
     */
    public RunResult amend(RunResult result, CauseCatalog causes) {
        if (file == null || result.cancelled()) return result;
        RunRecord now = RunFacts.of(result, origin);
        if (!comparable(now)) {
            return result;   // nothing to compare (tcp.connect alone, a scan): the history is not even opened before the report
        }
        Optional<List<RunRecord>> healthy = healthy(now.target(), now.playbook());
        if (healthy.isEmpty() || healthy.get().isEmpty()) return result;
        Verdict v = result.verdict();
        if (!v.healthy()) {
            List<String> lines = Drift.evidence(healthy.get().getFirst(), now);
            if (lines.isEmpty()) return result;
            List<String> evidence = new ArrayList<>(v.evidence());
            evidence.addAll(lines);
            return with(result, new Verdict(v.cause(), v.confidence(), v.summary(), v.fix(), evidence, v.supportedBy(), v.concluded()));
        }
        if (!result.healthy()) return result;
        return Drift.departure(now, healthy.get()).map(d -> with(result, departed(result, now, d, causes))).orElse(result);
    }

    /** Whether a verdict on this run could compare it with earlier ones: it has facts, or a metric of the baseline. */
    private static boolean comparable(RunRecord run) {
        return !run.facts().isEmpty() || Drift.BASELINE.stream().anyMatch(run.metrics()::containsKey);
    }

    /**
     * The target's last healthy runs (newest first, up to a baseline's worth): from its digest when there is one, else
     * from the database (and the digest is made for the next run); empty when the history cannot be read.
     */
    private Optional<List<RunRecord>> healthy(String target, String playbook) {
        if (!java.nio.file.Files.exists(file)) return Optional.of(List.of());   // nothing recorded yet: nothing to open
        Path digest = HistoryDigest.file(file, target, playbook);
        Optional<List<RunRecord>> kept = HistoryDigest.read(digest, target, playbook);
        if (kept.isPresent()) return kept;
        Optional<HistoryStore> s = store();
        if (s.isEmpty()) return Optional.empty();
        try {
            List<RunRecord> runs = s.get().worked(target, playbook, 0, Drift.BASELINE_RUNS);
            HistoryDigest.write(digest, runs);
            return Optional.of(runs);
        } catch (IOException e) {
            problem = e.getMessage();
            return Optional.empty();
        }
    }

    private static Verdict departed(RunResult result, RunRecord now, Drift.Departure d, CauseCatalog causes) {
        String host = String.valueOf(result.inputs().getOrDefault("host", now.target()));
        String what = d.key().equals("loss_pct") ? "loses " + Drift.figure(d.key(), d.value()) + " of its packets"
                : "its " + d.label() + " is " + Drift.figure(d.key(), d.value());
        String summary = now.target() + " answers and gets requests through now, but " + what + " where it usually is "
                + Drift.figure(d.key(), d.median()) + " (median of " + d.runs() + " healthy runs): a change from its own "
                + "baseline, below the playbook's absolute threshold";
        String fix = causes.find(d.cause()).map(CauseCatalog.Cause::fix).orElse("").replace("{host}", host);
        List<String> evidence = new ArrayList<>();
        evidence.add(d.line());
        evidence.addAll(result.verdict().evidence());
        return new Verdict(d.cause(), Confidence.LIKELY, summary, fix, evidence, result.verdict().supportedBy(), false);
    }

    private static RunResult with(RunResult r, Verdict v) {
        return new RunResult(r.playbook(), r.source(), r.inputs(), r.steps(), v, r.started(), r.duration(), r.cancelled(), r.defaults());
    }

    /** Records {@code result} (its verdict as amended); empty when history is off or the write failed ({@link #problem}). */
    public Optional<RunRecord> record(RunResult result) {
        if (file == null) return Optional.empty();
        Optional<HistoryStore> s = store();
        if (s.isEmpty()) return Optional.empty();
        try {
            RunRecord recorded = s.get().record(RunFacts.of(result, origin));
            if (recorded.worked() && comparable(recorded)) {   // the runs a verdict compares with changed: the digest follows
                HistoryDigest.write(HistoryDigest.file(file, recorded.target(), recorded.playbook()),
                        s.get().worked(recorded.target(), recorded.playbook(), 0, Drift.BASELINE_RUNS));
            }
            return Optional.of(recorded);
        } catch (IOException e) {
            problem = e.getMessage();
            return Optional.empty();
        }
    }

    /** Why the history could not be used, the first time it is asked after a failure; then empty. */
    public synchronized Optional<String> problem() {
        if (problem == null || told) return Optional.empty();
        told = true;
        return Optional.of(problem);
    }

    @Override
    public synchronized void close() {
        if (store != null) store.thenAccept(HistoryStore::close);
    }
}
