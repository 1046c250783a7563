package dev.reach.plugins.net;

import dev.reach.spi.Judgement;
import dev.reach.spi.Millis;
import dev.reach.spi.Observation;
import dev.reach.spi.ParamType;
import dev.reach.spi.Status;

import java.net.UnknownHostException;
import java.time.Duration;

/**
 * What this plugin's probes say of a target that did not resolve or a native connect that failed, and how they write
 * times for people.
 */
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

    /**
     * A native connect that did not complete: {@code errno} 0 when the SYN stayed unanswered for the whole
     * {@code timeout}, else the error the socket reported. Pure.
     */
    static Judgement connectFailed(int errno, String target, Duration timeout) {
        if (errno == 0) {
            return new Judgement(Status.FAIL, "tcp.filtered", "timeout", target + " gave no answer to the SYN within "
                    + ParamType.format(timeout));
        }
        String name = Syscalls.errnoName(errno);
        return switch (errno) {
            case Syscalls.ECONNREFUSED -> new Judgement(Status.FAIL, "tcp.refused", "refused", target + " refused the connection ("
                    + name + "): nothing listens there");
            case Syscalls.EHOSTUNREACH -> new Judgement(Status.FAIL, "host.unreachable", "host-unreachable", target
                    + " is unreachable (" + name + ")");
            case Syscalls.ENETUNREACH -> new Judgement(Status.FAIL, "route.none", "network-unreachable", "no route to " + target + " (" + name + ")");
            case Syscalls.ETIMEDOUT -> new Judgement(Status.FAIL, "tcp.filtered", "timeout", target + " gave no answer to the SYN (" + name + ")");
            default -> new Judgement(Status.ERROR, null, "error", "connecting to " + target + " failed: " + name);
        };
    }
}
