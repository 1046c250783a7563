package dev.reach.plugins.dns;

import java.time.Duration;
import java.util.List;

/**
 * The system's answer for a name, as {@link DnsResolveProbe#classify} compares it with the nameservers'.
 *
 * @param method    os (this host's resolver: getaddrinfo, so hosts file, nsswitch, search domains), hosts (the
 *                  hosts file alone, no query) or off
 * @param outcome   answered, failed, pending (no answer yet when the probe stopped waiting) or off (not asked)
 * @param addresses addresses of the wanted family, in the resolver's order (empty when none or failed)
 * @param hostsLine where in the hosts file the answer is, {@code /etc/hosts line 3}; empty when it came from elsewhere
 * @param error     why the lookup failed, is pending, or was not made; empty otherwise
 * @param took      how long the lookup took (os), or was waited for when pending
 */
record SystemSaid(String method, String outcome, List<String> addresses, String hostsLine, String error, Duration took) {

    static SystemSaid off(String why) {
        return new SystemSaid("off", "off", List.of(), "", why, Duration.ZERO);
    }

    /** The hosts file's entries for the name (method hosts): answered when there are some. */
    static SystemSaid hosts(List<String> addresses, String hostsLine) {
        return new SystemSaid("hosts", addresses.isEmpty() ? "failed" : "answered", List.copyOf(addresses), hostsLine,
                addresses.isEmpty() ? "no entry in the hosts file" : "", Duration.ZERO);
    }

    static SystemSaid answered(List<String> addresses, String hostsLine, Duration took) {
        return new SystemSaid("os", "answered", List.copyOf(addresses), hostsLine, "", took);
    }

    static SystemSaid failed(String error, Duration took) {
        return new SystemSaid("os", "failed", List.of(), "", error, took);
    }

    static SystemSaid pending(Duration waited) {
        return new SystemSaid("os", "pending", List.of(), "", "no answer after " + DnsResolveProbe.human(waited), waited);
    }

    boolean pending() {
        return outcome.equals("pending");
    }

    /** hosts, dns or none: the fact {@code system_source}. */
    String kind() {
        if (addresses.isEmpty()) {
            return "none";
        }
        return hostsLine.isEmpty() ? "dns" : "hosts";
    }

    /** Where the answer came from, for people: {@code /etc/hosts line 3}, or DNS. */
    String source() {
        return hostsLine.isEmpty() ? "DNS or another nsswitch source" : hostsLine;
    }
}
