package dev.reach.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * What the engine gives a running probe: its deadline, cancellation, a progress sink and what the host allows.
 *
 * <pre>{@code
 * Duration timeout = ctx.bound(params.duration("timeout"));   // never past the step's deadline
 * ctx.progress("connecting to " + host);
 * }</pre>
 */
public interface ProbeContext {
    /** When the step must be done; the engine stops waiting for the probe soon after. */
    Instant deadline();

    /** True once the run is cancelled (Ctrl-C) or the deadline passed; the probe thread is also interrupted. */
    boolean cancelled();

    /** Reports what the probe is doing now, for live progress; cheap, may be called often. */
    void progress(String message);

    /** What the host allows this process. */
    Privileges privileges();

    /** Time left until {@link #deadline()}, never negative. */
    default Duration remaining() {
        Duration d = Duration.between(Instant.now(), deadline());
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The requested wait, cut to what is left of the deadline (at least one millisecond). */
    default Duration bound(Duration requested) {
        Duration left = remaining();
        Duration d = requested.compareTo(left) < 0 ? requested : left;
        return d.isZero() ? Duration.ofMillis(1) : d;
    }
}
