package dev.reach.plugins.dns;

import dev.reach.spi.Millis;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a nameserver's host answers at all, and in what round trip: what makes a DNS server's silence decisive
 * long before the timeout ({@link Inquiry#giveUp}). Asked with {@link InetAddress#isReachable}: an ICMP echo with
 * CAP_NET_RAW (root), else a TCP connect to port 7, where a reset proves the host as well as an accept. About
 * 0.2 ms on a LAN, one echo per slice of the wait.
 */
final class HostEcho {
    /** The first slice of the wait; each next one is twice as long, up to {@link #LONGEST}. */
    static final Duration FIRST = Duration.ofMillis(50);
    static final Duration LONGEST = Duration.ofMillis(400);
    private static final long CAP_NET_RAW = 1L << 13;

    private HostEcho() {
    }

    /**
     * What a host answered.
     *
     * @param host    the address, as written ({@code 198.18.0.2})
     * @param outcome {@code answered}, {@code timeout} when nothing came while the asking lasted, or {@code not-asked}
     * @param method  {@code icmp} (an echo request) or {@code tcp-7} (a connect to port 7: a reset or an accept)
     * @param took    the round trip when answered (from the first echo, so never less than the real one), else how
     *                long it was waited for
     */
    record Heard(String host, String outcome, String method, Duration took) {
        /** A host whose server was never asked (no question could be built). */
        static Heard notAsked(String host) {
            return new Heard(host, "not-asked", "", Duration.ZERO);
        }

        boolean answered() {
            return outcome.equals("answered");
        }

        /** {@code answers ping in 0.08ms}, {@code does not answer ping in 2.0s}. */
        String says() {
            String what = method.equals("icmp") ? "ping" : "a connect to TCP port 7";
            return answered() ? "answers " + what + " in " + DnsResolveProbe.human(took)
                    : "does not answer " + what + " in " + DnsResolveProbe.human(took);
        }

        /** One evidence line: {@code host 198.18.0.2 icmp echo -> answered in 0.08ms}. */
        String evidence() {
            return "host " + host + " " + (method.equals("icmp") ? "icmp echo" : "tcp connect to port 7") + " -> "
                    + (answered() ? "answered in " : "no answer in ") + DnsResolveProbe.human(took);
        }

        Map<String, Object> facts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("outcome", outcome);
            m.put("method", method);
            m.put("ms", Millis.of(took));
            return m;
        }
    }

    /**
     * The round trip to the host, or empty when it did not answer within {@code wait} or the asking thread was
     * interrupted. The wait is cut in slices (50 ms, then twice as long each time up to 400 ms), each one echo:
     * isReachable blocks in native code, which no interrupt ends and which holds the JVM's exit up to 300 ms, so a
     * thread no longer needed leaves at the end of its slice. A late reply still counts in the next slice: the JDK
     * matches replies by the process's echo id, and the time is then taken from the first echo.
     */
    static Optional<Duration> roundTrip(InetAddress host, Duration wait) {
        long t0 = System.nanoTime();
        long slice = FIRST.toNanos();
        while (!Thread.currentThread().isInterrupted()) {
            long left = wait.toNanos() - (System.nanoTime() - t0);
            if (left <= 0) {
                return Optional.empty();
            }
            try {
                if (host.isReachable((int) Math.max(1, Math.min(slice, left) / 1_000_000))) {
                    return Optional.of(Duration.ofNanos(System.nanoTime() - t0));
                }
            } catch (IOException e) {
                return Optional.empty(); // no usable socket: the host is not heard, which decides nothing
            }
            slice = Math.min(slice * 2, LONGEST.toNanos());
        }
        return Optional.empty();
    }

    /** How isReachable asks in this process: {@code icmp} with CAP_NET_RAW, else {@code tcp-7}. */
    static String method() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & CAP_NET_RAW) != 0 ? "icmp" : "tcp-7";
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or unreadable: the JDK then asks over TCP unless it can open a raw socket, which it says nowhere
        }
        return "tcp-7";
    }
}
