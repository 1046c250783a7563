package dev.reach.core.run;

import dev.reach.spi.Observation;

import java.time.Duration;
import java.util.Map;

/**
 * Where a step marked {@code on: server} runs its probe: on the other end of the connection (B), through the way
 * the user reaches it. The embedder provides it ({@code reach ... --server-via CMD} runs {@code reach probe} there);
 * a run without one skips such steps and says why.
 *
 * <pre>{@code
 * RunOptions.defaults().withServer((probe, params, timeout, cancel) -> Observation.skipped("no server here").build());
 * }</pre>
 */
@FunctionalInterface
public interface ServerProbes {
    /**
     * Runs {@code probe} on the server with {@code params} (each as a person would type it: durations as {@code 3s},
     * lists comma-separated; never a secret), within {@code timeout}; what it observed there, or why it could not run.
     */
    Observation run(String probe, Map<String, String> params, Duration timeout, Cancellation cancel);
}
