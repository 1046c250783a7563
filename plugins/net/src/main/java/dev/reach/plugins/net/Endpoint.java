package dev.reach.plugins.net;

import dev.reach.spi.Millis;
import dev.reach.spi.Observation;

import java.net.UnknownHostException;
import java.time.Duration;

/** What this plugin's probes say of a target that did not resolve, and how they write times for people. */
final class Endpoint {
    private Endpoint() {
    }

    /** The observation of a probe whose target did not resolve: a fault it cannot name, with the DNS hint. */
    static Observation unresolved(String host, UnknownHostException e) {
        return Observation.fail(host + " did not resolve (" + e.getMessage() + "); run a DNS check")
                .fact("outcome", "unresolved").build();
    }

    /** {@code 0.21ms}, {@code 12ms}, {@code 1.4s}: as the engine writes durations for people. */
    static String human(double ms) {
        return Millis.human(Duration.ofNanos(Math.round(ms * 1e6)));
    }
}
