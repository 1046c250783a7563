package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The system's answer for a name, as {@link DnsResolveProbe#classify} compares it with the nameservers'.
 *
 * @param method    os (this host's resolver: getaddrinfo through the JDK, so hosts file, nsswitch, search
 *                  domains), hosts (the hosts file alone, no query) or off
 * @param addresses addresses of the wanted family (empty when none or failed)
 * @param error     why the system lookup failed, empty otherwise
 * @param source    where the answer came from, for people: {@code /etc/hosts line 3}, or DNS
 */
record SystemSaid(String method, List<String> addresses, String error, String source) {

    /** Asks the system (method os) or reads the hosts file's entries for the name (method hosts). */
    static SystemSaid ask(String method, String name, String type, HostsFile hosts, List<HostsFile.Entry> entries) {
        String fromHosts = entries.isEmpty() ? "" : hosts.source() + " line " + entries.getFirst().line();
        List<String> hostsAddresses = entries.stream().map(HostsFile.Entry::address).distinct().toList();
        return switch (method) {
            case "off" -> new SystemSaid("off", List.of(), "", "");
            case "hosts" -> new SystemSaid("hosts", hostsAddresses, "", fromHosts);
            default -> {
                try {
                    List<String> got = Arrays.stream(InetAddress.getAllByName(name)).map(Addresses::text)
                            .filter(a -> DnsResolveProbe.wanted(a, type)).distinct().toList();
                    boolean fromTheFile = !got.isEmpty() && Set.copyOf(got).equals(Set.copyOf(hostsAddresses));
                    yield new SystemSaid("os", got, got.isEmpty() ? "no " + type + " address" : "",
                            fromTheFile ? fromHosts : "DNS or another nsswitch source");
                } catch (UnknownHostException e) {
                    yield new SystemSaid("os", List.of(), String.valueOf(e.getMessage()), "");
                }
            }
        };
    }

    /** hosts, dns or none: the fact {@code system_source}. */
    String kind() {
        if (addresses.isEmpty()) {
            return "none";
        }
        return source.contains(" line ") ? "hosts" : "dns";
    }
}
