package dev.reach.plugins.host;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/** An address prefix like {@code 198.18.0.0/15} or {@code fd00::/8}; a bare address is a /32 or /128. */
record Cidr(InetAddress network, int bits) {

    /** Parses {@code a.b.c.d/n}, {@code x::y/n}, a bare address, or {@code default}/{@code any} (of the given family). */
    static Optional<Cidr> parse(String text, boolean v6) {
        String t = text.strip();
        if (t.equals("default") || t.equals("any") || t.equals("all")) {
            return Optional.of(new Cidr(InetAddress.ofLiteral(v6 ? "::" : "0.0.0.0"), 0));
        }
        int slash = t.indexOf('/');
        try {
            InetAddress a = InetAddress.ofLiteral(slash < 0 ? t : t.substring(0, slash));
            int max = a instanceof Inet4Address ? 32 : 128;
            int bits = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
            return bits < 0 || bits > max ? Optional.empty() : Optional.of(new Cidr(a, bits));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    boolean contains(InetAddress a) {
        byte[] n = network.getAddress();
        byte[] x = a.getAddress();
        if (n.length != x.length) {
            return false;
        }
        int len = n.length * 8;
        BigInteger mask = bits == 0 ? BigInteger.ZERO
                : BigInteger.ONE.shiftLeft(len).subtract(BigInteger.ONE).shiftRight(len - bits).shiftLeft(len - bits);
        return new BigInteger(1, n).and(mask).equals(new BigInteger(1, x).and(mask));
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + bits;
    }
}
