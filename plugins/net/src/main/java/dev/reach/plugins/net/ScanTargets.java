package dev.reach.plugins.net;

import dev.reach.spi.Addresses;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The hosts of a {@code tcp.scan}: each item of {@code hosts} is a name, an address, a range of addresses
 * ({@code 127.1.0.0-127.1.39.15}, or with the last IPv4 byte alone: {@code 198.18.1.10-20}) or a CIDR block
 * ({@code 198.18.1.0/24}, {@code fd00::/120}; every address of it, network and broadcast included, as nmap does).
 * A name is resolved (the first address of {@code family}); a range or block never touches DNS.
 *
 * <pre>{@code
 * ScanTargets.of("127.1.0.0-127.1.39.15", "any");   // 10000 addresses, no DNS
 * ScanTargets.of("db01", "4");                      // its first IPv4 address
 * }</pre>
 */
final class ScanTargets {
    /** At most this many hosts in one scan (a /16): each costs a tally and a line of state. */
    static final int MAX_HOSTS = 65_536;

    private ScanTargets() {
    }

    /**
     * Every address one item names, in order.
     *
     * @throws UnknownHostException     a name did not resolve
     * @throws IllegalArgumentException a range or block is malformed or too large (the message says how to write it)
     */
    static List<InetAddress> of(String item, String family) throws UnknownHostException {
        Optional<List<InetAddress>> range = expand(item);
        return range.isPresent() ? range.get() : List.of(Addresses.resolve(item, family));
    }

    /** Pure: the addresses a range or block names; empty when the item is neither (a name or a single address). */
    static Optional<List<InetAddress>> expand(String item) {
        int slash = item.indexOf('/');
        if (slash > 0) {
            InetAddress base = literal(item.substring(0, slash)).orElse(null);
            if (base == null) return Optional.empty();
            int bits = base.getAddress().length * 8;
            int prefix = prefix(item, item.substring(slash + 1), bits);
            BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
            BigInteger first = number(base).shiftRight(bits - prefix).shiftLeft(bits - prefix);
            return Optional.of(span(item, first, first.add(size).subtract(BigInteger.ONE), base.getAddress().length));
        }
        int dash = item.indexOf('-');
        if (dash <= 0) return Optional.empty();
        InetAddress from = literal(item.substring(0, dash)).orElse(null);
        if (from == null) return Optional.empty(); // a name with a dash in it (db-01)
        String to = item.substring(dash + 1);
        InetAddress last;
        if (from.getAddress().length == 4 && to.matches("\\d{1,3}")) { // the last byte alone (Java would read a bare "20" as an address of its own)
            byte[] b = from.getAddress();
            b[3] = (byte) Integer.parseInt(to);
            last = Integer.parseInt(to) <= 255 ? address(b) : null;
        } else {
            last = literal(to).orElse(null);
        }
        if (last == null || last.getAddress().length != from.getAddress().length) {
            throw new IllegalArgumentException("'" + item + "' is not a range: write first-last of one family "
                    + "(127.1.0.0-127.1.39.15, 198.18.1.10-20, fd00::1-fd00::ff)");
        }
        if (number(last).compareTo(number(from)) < 0) {
            throw new IllegalArgumentException("'" + item + "' ends before it starts; write the lower address first");
        }
        return Optional.of(span(item, number(from), number(last), from.getAddress().length));
    }

    /** Pure: whether {@code b} is the address right after {@code a} (same family). */
    static boolean follows(InetAddress a, InetAddress b) {
        if (a instanceof Inet4Address && b instanceof Inet4Address) return v4(b) - v4(a) == 1;
        return a.getAddress().length == b.getAddress().length && number(b).subtract(number(a)).equals(BigInteger.ONE);
    }

    private static List<InetAddress> span(String item, BigInteger first, BigInteger last, int bytes) {
        BigInteger count = last.subtract(first).add(BigInteger.ONE);
        if (count.compareTo(BigInteger.valueOf(MAX_HOSTS)) > 0) {
            throw new IllegalArgumentException("'" + item + "' is " + count + " addresses; at most " + MAX_HOSTS
                    + " hosts in one scan (a /16 or a /112): split it");
        }
        List<InetAddress> out = new ArrayList<>(count.intValue());
        if (bytes == 4) { // plain arithmetic: a cold JVM runs this loop in the interpreter
            for (long n = first.longValue(); n <= last.longValue(); n++) {
                out.add(address(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n}));
            }
            return out;
        }
        for (BigInteger n = first; n.compareTo(last) <= 0; n = n.add(BigInteger.ONE)) out.add(address(bytes(n, bytes)));
        return out;
    }

    private static int prefix(String item, String text, int bits) {
        if (text.matches("\\d{1,3}") && Integer.parseInt(text) <= bits) return Integer.parseInt(text);
        throw new IllegalArgumentException("'" + item + "' has no prefix length 0-" + bits + " after the '/' (198.18.1.0/24, fd00::/120)");
    }

    private static Optional<InetAddress> literal(String text) {
        if (text.isEmpty() || !text.matches("[0-9a-fA-F:.]+")) return Optional.empty();
        try {
            return Optional.of(InetAddress.ofLiteral(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static long v4(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xffL) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static BigInteger number(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    private static byte[] bytes(BigInteger n, int length) {
        byte[] raw = n.toByteArray(); // big-endian, maybe with a sign byte or shorter
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    private static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a " + b.length + "-byte address: " + Arrays.toString(b), e);
        }
    }
}
