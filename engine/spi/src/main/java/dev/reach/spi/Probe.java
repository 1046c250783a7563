package dev.reach.spi;

import org.pf4j.ExtensionPoint;

/**
 * A check of one thing (a port, a name, a route) that returns what it saw as an {@link Observation}.
 *
 * <p>A probe is a PF4J extension: one class with {@code @Extension} in a plugin jar. Its {@link #spec()}
 * is the single source of truth for validation, help and completion; the engine validates parameters
 * against it before {@link #run} is called, so {@code run} receives only well-typed values.
 *
 * <pre>{@code
 * @Extension
 * public final class EchoProbe implements Probe {
 *     static final ProbeSpec SPEC = ProbeSpec.builder("echo.say", "Says what it is told")
 *             .param(Param.string("text", "what to say").defaultValue("hello"))
 *             .fact(Fact.of("text", "string", "what was said"))
 *             .build();
 *     public ProbeSpec spec() { return SPEC; }
 *     public Observation run(ProbeContext ctx, Params params) {
 *         return Observation.ok("said " + params.string("text")).fact("text", params.string("text")).build();
 *     }
 * }
 * }</pre>
 *
 * <p>Network outcomes (refused, timed out, unreachable) are results, not exceptions: return them as a
 * FAIL with a cause code. Anything the probe throws becomes an ERROR observation for its step.
 * Implementations must be stateless or thread-safe: one instance serves parallel steps.
 */
public interface Probe extends ExtensionPoint {

    /** What this probe is, takes and returns. Must return the same instance every time. */
    ProbeSpec spec();

    /**
     * Gets ready to run without sending anything off this host: one-time, costly set-up (binding native calls,
     * loading tables, a round trip through the protocol code on loopback) that would otherwise land in the first
     * {@link #run} and in its timings. The engine calls it at most once per process, on a background thread,
     * for each probe a playbook names, while the playbook is checked and its first steps run. {@code run} may
     * start before this returns, and must then work as it would without it. Must not throw. The default does
     * nothing.
     */
    default void prepare() {
    }

    /**
     * Runs the check. Blocking calls are fine (the engine runs each probe on its own thread);
     * respect {@link ProbeContext#remaining()} and stop when the thread is interrupted.
     */
    Observation run(ProbeContext ctx, Params params) throws Exception;
}
