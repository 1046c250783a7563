package dev.reach.core.run;

import dev.reach.spi.Failures;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Params;
import dev.reach.spi.Privileges;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs one probe on its own thread, bounded by a deadline and a cancellation: a probe that throws, hangs or
 * returns nothing becomes an ERROR observation, and unmet needs become SKIPPED. Never throws. A probe stopped
 * because a parallel step's {@code until:} decided is SKIPPED as cut short ({@link Cut}), not an error.
 *
 * <p>The thread is a platform daemon thread, not a virtual one: a virtual thread that blocks in a JDK socket
 * starts the JDK's I/O poller, and HotSpot then waits up to 300 ms for that thread at exit (measured: a TLS
 * handshake probe ended 0.3 s after its last output). A run starts a handful of probes, so the cost of
 * platform threads does not show; a probe abandoned after its deadline does not hold the process. A probe thread
 * still running when the step gives up on it (it ignored the interrupt) is counted in {@link #abandoned()} until it ends.
 */
public final class ProbeInvoker {
    /** How long past its deadline a probe may take to notice the interrupt before the step gives up on it. */
    static final Duration GRACE = Duration.ofMillis(500);

    private final Privileges privileges;
    private final AbandonedThreads abandoned;

    public ProbeInvoker(Privileges privileges) {
        this(privileges, new AbandonedThreads());
    }

    /** @param abandoned where probe threads that outlive their step are counted */
    public ProbeInvoker(Privileges privileges, AbandonedThreads abandoned) {
        this.privileges = privileges;
        this.abandoned = abandoned;
    }

    /** The probe threads this invoker gave up on that still run. */
    public AbandonedThreads abandoned() {
        return abandoned;
    }

    public Privileges privileges() {
        return privileges;
    }

    /**
     * Runs the probe with already-bound params.
     *
     * @param timeout  how long the probe may take in all (its deadline)
     * @param cancel   flipped to stop it early
     * @param progress receives the probe's progress messages
     */
    public Observation invoke(Probe probe, Params params, Duration timeout, Cancellation cancel, Consumer<String> progress) {
        ProbeSpec spec = probe.spec();
        long t0 = System.nanoTime();
        List<String> unmet = unmetNeeds(spec.needs());
        if (!unmet.isEmpty()) {
            return Observation.skipped(spec.id() + " cannot run here: needs " + String.join(" and ", unmet))
                    .evidence("needs: " + String.join(", ", unmet)).build();
        }
        if (cancel.isCancelled()) {
            return cancel.cut().map(c -> c.observation(null)).orElseGet(() -> Observation.error("cancelled before it started").build());
        }
        Instant deadline = Instant.now().plus(timeout);
        var context = new Context(deadline, cancel, progress, privileges);
        CompletableFuture<Observation> result = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().daemon().name("probe-" + spec.id()).unstarted(() -> {
            try {
                Observation o = probe.run(context, params);
                result.complete(cancel.cut().map(c -> c.observation(Duration.ofNanos(System.nanoTime() - t0))).orElse(o));
            } catch (Throwable t) {
                // what a probe returns or throws once an until: decided is not evidence: it was told to stop
                cancel.cut().ifPresentOrElse(c -> result.complete(c.observation(Duration.ofNanos(System.nanoTime() - t0))),
                        () -> result.completeExceptionally(t));
            }
        });
        worker.start();
        Observation obs;
        try {
            CompletableFuture.anyOf(result, cancel.signal()).get(timeout.plus(GRACE).toNanos(), TimeUnit.NANOSECONDS);
            if (result.isDone()) {
                obs = result.get();
                if (obs == null) {
                    obs = Observation.error(spec.id() + " returned no observation (a bug in the probe)").build();
                }
            } else {
                giveUp(worker, spec.id());
                Duration ran = Duration.ofNanos(System.nanoTime() - t0);
                obs = cancel.cut().map(c -> c.observation(ran)).orElseGet(() -> Observation.error("cancelled").build());
            }
        } catch (TimeoutException e) {
            giveUp(worker, spec.id());
            obs = Observation.error(spec.id() + " did not finish within " + Durations.format(timeout)
                    + "; it was interrupted").build();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // a bug in the probe: words for the report, the exception's class as a fact for whoever fixes it
            obs = Observation.error(spec.id() + " broke: " + Failures.text(cause) + " (a bug in the probe: it threw "
                    + "instead of returning what it saw)").fact("exception", cause.getClass().getName()).build();
        } catch (InterruptedException e) {
            giveUp(worker, spec.id());
            Thread.currentThread().interrupt();
            obs = Observation.error("interrupted").build();
        }
        obs = deprecations(spec, params, obs);
        return obs.duration().isZero() ? obs.withDuration(Duration.ofNanos(System.nanoTime() - t0)) : obs;
    }

    /** Interrupts the probe's thread and, if it still runs, counts it as abandoned until it ends. */
    private void giveUp(Thread worker, String probeId) {
        worker.interrupt();
        abandoned.add(worker, probeId);
    }

    /** The observation with a line for each deprecated parameter the run was given: what to write instead. */
    static Observation deprecations(ProbeSpec spec, Params params, Observation obs) {
        List<String> lines = new ArrayList<>();
        for (var p : spec.params()) {
            if (p.deprecation().isPresent() && params.has(p.name())) {
                lines.add("parameter " + p.name() + "= is deprecated: write " + p.deprecation().get() + " (the old name works until the next release)");
            }
        }
        if (lines.isEmpty()) {
            return obs;
        }
        var b = obs.toBuilder();
        lines.forEach(b::evidence);
        return b.build();
    }

    private List<String> unmetNeeds(Needs needs) {
        List<String> unmet = new ArrayList<>();
        if (needs.root() && !privileges.root() && needs.capabilities().stream().noneMatch(privileges::hasCapability)) {
            unmet.add(needs.capabilities().isEmpty() ? "root" : "root or " + String.join("/", needs.capabilities()));
        }
        for (String tool : needs.tools()) {
            if (privileges.tool(tool).isEmpty()) {
                unmet.add("'" + tool + "' on PATH");
            }
        }
        return unmet;
    }

    private record Context(Instant deadline, Cancellation cancel, Consumer<String> sink, Privileges privileges)
            implements ProbeContext {
        @Override
        public boolean cancelled() {
            return cancel.isCancelled() || Instant.now().isAfter(deadline);
        }

        @Override
        public void progress(String message) {
            sink.accept(message);
        }
    }
}
