package dev.reach.testkit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A JDK name resolver for tests that never asks DNS, so a test that resolves a name sends no packet off the
 * machine (the host's nameserver is not on loopback). It knows a fixed table and nothing else:
 *
 * <pre>
 * localhost, dual.test  127.0.0.1, ::1
 * v4.test               127.0.0.1
 * v6.test               ::1
 * anything else         UnknownHostException "NAME: Name or service not known (offline test resolver)"
 * </pre>
 *
 * A module turns it on for its tests (and for JVMs they start with the same class path) with one line,
 * {@code dev.reach.testkit.OfflineResolver}, in
 * {@code src/test/resources/META-INF/services/java.net.spi.InetAddressResolverProvider}; a test that looks
 * names up calls {@link #requireInUse()} first.
 */
public final class OfflineResolver extends InetAddressResolverProvider {
    // set when the JDK takes this resolver; the JDK picks one once per JVM, so this is per JVM too
    private static final AtomicBoolean IN_USE = new AtomicBoolean();

    private static final Map<String, List<InetAddress>> NAMES = Map.of(
            "localhost", List.of(literal("127.0.0.1"), literal("::1")),
            "dual.test", List.of(literal("127.0.0.1"), literal("::1")),
            "v4.test", List.of(literal("127.0.0.1")),
            "v6.test", List.of(literal("::1")));

    @Override
    public InetAddressResolver get(Configuration configuration) {
        IN_USE.set(true);
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                List<InetAddress> found = NAMES.get(host.toLowerCase(Locale.ROOT));
                if (found == null) {
                    throw new UnknownHostException(host + ": Name or service not known (offline test resolver)");
                }
                int c = policy.characteristics();
                List<InetAddress> allowed = found.stream()
                        .filter(a -> (c & (a instanceof java.net.Inet4Address ? LookupPolicy.IPV4 : LookupPolicy.IPV6)) != 0).toList();
                if (allowed.isEmpty()) {
                    throw new UnknownHostException(host + ": No address associated with hostname (offline test resolver)");
                }
                return allowed.stream();
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                throw new UnknownHostException("no reverse lookups in tests (offline test resolver)");
            }
        };
    }

    @Override
    public String name() {
        return "reach-offline-test-resolver";
    }

    /**
     * Makes the JDK choose its resolver (resolving {@code localhost}, which no resolver sends to DNS) and
     * throws unless it chose this one, so a test never sends a name to the host's nameserver by mistake.
     */
    public static void requireInUse() {
        try {
            InetAddress.getAllByName("localhost");
        } catch (UnknownHostException e) {
            throw new IllegalStateException("localhost does not resolve", e);
        }
        if (!IN_USE.get()) {
            throw new IllegalStateException("the offline test resolver is not in use: list dev.reach.testkit.OfflineResolver in "
                    + "src/test/resources/META-INF/services/java.net.spi.InetAddressResolverProvider");
        }
    }

    private static InetAddress literal(String ip) {
        return InetAddress.ofLiteral(ip);
    }
}
