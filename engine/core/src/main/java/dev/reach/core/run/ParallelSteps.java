package dev.reach.core.run;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Runs steps at once on virtual threads: a parallel step's branches, a foreach's items, a JS parallel()'s
 * calls. With an {@link Until} the race ends once the evidence decides: after each branch finishes (its
 * result already visible to expressions) the until is asked, on the calling thread, the one that may run
 * the playbook's JavaScript; once it holds, every branch still running or not yet started is cut short
 * ({@link Cut}): its probe sees {@code ctx.cancelled()} and is interrupted, and steps not yet started do
 * not start. Cancelling the run still stops everything as an error ("cancelled"), as before.
 */
final class ParallelSteps {
    private ParallelSteps() {
    }

    /** One branch, run under {@code stop}: the caller's switch, or the parallel step's own branch of it. */
    @FunctionalInterface
    interface Branch {
        StepResult run(Cancellation stop);
    }

    /**
     * A parallel step's {@code until:}.
     *
     * @param source the condition as reports quote it
     * @param test   asked after each branch finishes
     */
    record Until(String source, Test test) {
    }

    /** Whether the results so far decide the step. */
    @FunctionalInterface
    interface Test {
        /**
         * @param finished the branches finished so far, in the order they finished (the newest last)
         * @throws Exception when the condition cannot be computed; its message says where
         */
        boolean decided(List<StepResult> finished) throws Exception;
    }

    /**
     * @param results   in branch order
     * @param decidedBy the branch whose result made the until hold, or null
     * @param failure   why the until could not be computed (the branches then ran to their end), or null
     * @param took      wall time
     */
    record Outcome(List<StepResult> results, String decidedBy, Exception failure, Duration took) {
        public Outcome {
            results = List.copyOf(results);
        }
    }

    /** Runs every branch to its end, at most {@code concurrency} at once; results in branch order. */
    static List<StepResult> all(List<Branch> branches, int concurrency, Cancellation stop) {
        return race(branches, concurrency, stop, null).results();
    }

    /** Runs the branches, at most {@code concurrency} at once, until they all finish or {@code until} (nullable) holds. */
    static Outcome race(List<Branch> branches, int concurrency, Cancellation parent, Until until) {
        long t0 = System.nanoTime();
        Cancellation stop = until == null ? parent : parent.branch();
        Semaphore gate = new Semaphore(Math.max(1, concurrency));
        StepResult[] results = new StepResult[branches.size()];
        List<StepResult> finished = new ArrayList<>();
        String decidedBy = null;
        Exception failure = null;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var done = new ExecutorCompletionService<Map.Entry<Integer, StepResult>>(pool);
            // One dispatcher takes the permits in branch order, so branches start in order (a foreach's
            // items as written); a branch that waited for its turn past a cut starts cut short.
            pool.submit(() -> {
                for (int i = 0; i < branches.size(); i++) {
                    int at = i;
                    Branch b = branches.get(i);
                    gate.acquireUninterruptibly();
                    done.submit(() -> {
                        try {
                            return Map.entry(at, b.run(stop));
                        } catch (RuntimeException | Error e) {
                            return Map.entry(at, broke(e)); // said in its own slot, as a step that broke
                        } finally {
                            gate.release();
                        }
                    });
                }
            });
            for (int n = 0; n < branches.size(); n++) {
                Future<Map.Entry<Integer, StepResult>> f;
                try {
                    f = done.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    parent.root().cancel();
                    break;
                }
                Map.Entry<Integer, StepResult> got = result(f);
                StepResult r = got.getValue();
                if (got.getKey() >= 0) results[got.getKey()] = r;
                finished.add(r);
                if (until == null || decidedBy != null || failure != null) continue;
                try {
                    if (until.test().decided(List.copyOf(finished))) {
                        decidedBy = r.id();
                        stop.cutShort(new Cut(until.source(), decidedBy));
                    }
                } catch (Exception e) {
                    failure = e; // no more asking; what runs goes on, and the step reports the error
                }
            }
        }
        List<StepResult> out = new ArrayList<>();
        for (StepResult r : results) {
            out.add(r != null ? r : new StepResult("?", "probe", "", Map.of(), Observation.error("interrupted").build(), "", List.of()));
        }
        return new Outcome(out, decidedBy, failure, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static StepResult broke(Throwable e) {
        return new StepResult("?", "probe", "", Map.of(), Observation.error("step broke: " + e).build(), "", List.of());
    }

    /** A finished branch's index and result; index -1 only when its task failed outside the branch (its slot then says "interrupted"). */
    private static Map.Entry<Integer, StepResult> result(Future<Map.Entry<Integer, StepResult>> f) {
        try {
            return f.get(); // done: it came from the completion queue
        } catch (ExecutionException e) {
            return Map.entry(-1, broke(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.entry(-1, new StepResult("?", "probe", "", Map.of(), Observation.error("interrupted").build(), "", List.of()));
        }
    }

    /**
     * A parallel step's outcome: the children's summary; with the until's decision (which branch, what it
     * cut) as evidence and the fact {@code decided_by}; an ERROR, saying where, when the until could not be computed.
     */
    static Observation outcome(Outcome out) {
        List<StepResult> children = out.results();
        Observation counted = summarize(children.size() + " branches", children);
        Observation.Builder b = counted.toBuilder().duration(out.took());
        if (out.failure() != null) {
            b.status(Status.ERROR).cause(null).summary("'until' could not be computed: " + out.failure().getMessage())
                    .evidence(counted.summary());
        } else if (out.decidedBy() != null) {
            List<String> cut = children.stream().filter(StepResult::cutShort).map(StepResult::id).toList();
            b.fact("decided_by", out.decidedBy()).evidence("until held when '" + out.decidedBy() + "' finished"
                    + (cut.isEmpty() ? "" : "; cut short: " + String.join(", ", cut)));
        }
        return b.build();
    }

    /**
     * A group (foreach, parallel, include) that an enclosing {@code until:} stopped part-way ({@code partly})
     * is itself cut short, what it had seen kept as evidence; otherwise {@code obs}, as it came out.
     */
    static Observation cutOrElse(Cancellation stop, boolean partly, Observation obs, long t0) {
        Optional<Cut> cut = stop.cut();
        if (cut.isEmpty() || !partly) return obs;
        Observation c = cut.get().observation(Duration.ofNanos(System.nanoTime() - t0));
        return c.toBuilder().evidence("when cut: " + obs.summary()).build();
    }

    /**
     * The worst child decides the status, leaving out the children cut short (they saw nothing); the first
     * failing child with a cause gives the cause. Facts count the children by status, and {@code cut_short}.
     */
    static Observation summarize(String what, List<StepResult> children) {
        Status worst = Status.SKIPPED;
        Map<String, Integer> counts = new LinkedHashMap<>();
        int cut = 0;
        for (StepResult c : children) {
            if (c.cutShort()) {
                cut++;
            } else {
                worst = worst.worse(c.status());
                counts.merge(c.status().label(), 1, Integer::sum);
            }
        }
        if (cut > 0) counts.put("cut short", cut);
        String cause = children.stream().filter(c -> c.status() == Status.FAIL).map(c -> c.observation().cause())
                .flatMap(Optional::stream).findFirst().orElse(null);
        List<String> parts = new ArrayList<>();
        counts.forEach((s, n) -> parts.add(n + " " + s));
        Observation.Builder b = Observation.of(children.isEmpty() ? Status.SKIPPED : worst, what + ": " + String.join(", ", parts))
                .cause(cause);
        counts.forEach((s, n) -> b.fact(s.replace(' ', '_'), n));
        return b.build();
    }
}
