package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/** How this plugin's probes pick the address to probe and write addresses and times for people. */
final class Endpoint {
    private Endpoint() {
    }

    /**
     * The first address of the wanted family ({@code any}, {@code 4} or {@code 6}).
     *
     * @throws UnknownHostException when the name does not resolve or has no address of that family (the
     *                              message says which)
     */
    static InetAddress resolve(String host, String family) throws UnknownHostException {
        InetAddress[] all = InetAddress.getAllByName(host);
        return Arrays.stream(all)
                .filter(a -> family.equals("any") || family.equals("4") == (a instanceof Inet4Address))
                .findFirst()
                .orElseThrow(() -> new UnknownHostException(host + " has no IPv" + family + " address (it resolves to "
                        + String.join(", ", Arrays.stream(all).map(Addresses::text).toList()) + ")"));
    }

    /** {@code 198.18.0.2:53} or {@code [fd00::2]:53}. */
    static String of(InetAddress a, int port) {
        return Addresses.endpoint(a, port);
    }

    /** The observation of a probe whose target did not resolve: a fault it cannot name, with the DNS hint. */
    static dev.reach.spi.Observation unresolved(String host, UnknownHostException e) {
        return dev.reach.spi.Observation.fail(host + " did not resolve (" + e.getMessage() + "); run a DNS check")
                .fact("outcome", "unresolved").build();
    }



    /** {@code 0.21ms}, {@code 12ms}, {@code 1.4s}: as the engine writes durations for people. */
    static String human(double ms) {
        if (ms < 10) return String.format(Locale.ROOT, "%.2fms", ms);
        if (ms < 1000) return String.format(Locale.ROOT, "%.0fms", ms);
        return String.format(Locale.ROOT, "%.1fs", ms / 1000);
    }
}
