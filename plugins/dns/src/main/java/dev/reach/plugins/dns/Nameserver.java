package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A nameserver to ask: an IP address and a port, written {@code 127.0.0.1:5353}, {@code [::1]:5353},
 * {@code ::1} or {@code 198.18.0.2} (port 53). Only addresses: a server's own name would have to be resolved
 * by the very resolver being checked.
 */
record Nameserver(InetAddress address, int port) {
    static final int DNS_PORT = 53;

    /** Parses {@code ip}, {@code ip:port}, {@code [ipv6]:port} or a bare IPv6 address; no port means {@code defaultPort}. */
    static Nameserver parse(String text, int defaultPort) {
        Addresses.HostPort hp = Addresses.hostPort(text, defaultPort);
        String host = hp.host();
        int port = hp.port();
        try {
            return new Nameserver(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a nameserver address; write an IP with an optional port, "
                    + "like 127.0.0.1:5353 or [::1]:53");
        }
    }

    /** An IP literal, v4 or v6. */
    static boolean isAddress(String s) {
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** {@code 127.0.0.1:53}, {@code [::1]:5353}. */
    @Override
    public String toString() {
        return Addresses.endpoint(address, port);
    }
}
