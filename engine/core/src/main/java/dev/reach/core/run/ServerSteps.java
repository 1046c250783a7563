package dev.reach.core.run;

import dev.reach.spi.Observation;
import dev.reach.spi.Probe;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a step marked {@code on: server} runs its probe: through the run's {@link ServerProbes}, with no secret leaving. */
final class ServerSteps {
    private ServerSteps() {
    }

    /**
     * Runs {@code probe} through {@code server} (null: skipped, saying why), its parameters as typed and those at their
     * defaults left out; a secret parameter is an error, never sent.
     */
    static Observation run(ServerProbes server, Probe probe, Map<String, Object> params, Duration timeout, Cancellation stop) {
        long t0 = System.nanoTime();
        if (server == null) {
            return Observation.skipped("this step runs on the server (on: server), and no server was given (--server-via CMD)").build();
        }
        Map<String, String> typed = new LinkedHashMap<>();
        for (var p : probe.spec().params()) {
            if (!params.containsKey(p.name()) || p.defaultValue().map(d -> d.equals(params.get(p.name()))).orElse(false)) continue;
            if (p.isSecret()) {
                return Observation.error("parameter '" + p.name() + "' is a secret, and a command line to the server is no place for one:"
                        + " run this step here, or run reach on the server yourself").build();
            }
            typed.put(p.name(), typed(params.get(p.name())));
        }
        Observation o;
        try {
            o = server.run(probe.spec().id(), typed, timeout, stop);
        } catch (RuntimeException e) {
            o = Observation.error("the server's side broke: " + dev.reach.spi.Failures.text(e)).build();
        }
        Observation seen = o == null ? Observation.error("the server's side returned nothing").build() : o;
        return seen.duration().isZero() ? seen.withDuration(Duration.ofNanos(System.nanoTime() - t0)) : seen;
    }

    /** A parameter's value as a person types it: 3s, 22,80,443, true. */
    static String typed(Object v) {
        return switch (v) {
            case Duration d -> dev.reach.spi.ParamType.format(d);
            case java.util.Collection<?> c -> String.join(",", c.stream().map(ServerSteps::typed).toList());
            default -> String.valueOf(v);
        };
    }
}
