package dev.reach.plugins.ntp;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

/**
 * The 48-byte SNTP packet of RFC 4330 (no extension fields, no authenticator), and the timestamp arithmetic.
 * Timestamps are kept in NTP's 64-bit format: seconds since 1900-01-01 in the high 32 bits, a binary
 * fraction in the low 32 bits; a seconds field with its top bit clear is read as era 1 (2036–2104), as
 * RFC 4330 section 3 says.
 *
 * @param leap           leap indicator: 0 none, 1/2 leap second pending, 3 clock not synchronised
 * @param version        protocol version (4)
 * @param mode           3 client, 4 server
 * @param stratum        0 kiss-o'-death, 1 primary, 2–15 secondary, 16 unsynchronised
 * @param poll           log2 of the poll interval
 * @param precision      log2 of the clock precision, in seconds (signed)
 * @param rootDelay      round trip to the reference, NTP short format (16.16 seconds)
 * @param rootDispersion error relative to the reference, NTP short format
 * @param referenceId    four bytes: an ASCII code for stratum 0/1, an IPv4 address (or hash) otherwise
 */
record NtpPacket(int leap, int version, int mode, int stratum, int poll, int precision, int rootDelay, int rootDispersion,
                 int referenceId, long referenceTime, long originateTime, long receiveTime, long transmitTime) {

    static final int SIZE = 48;
    /** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
    static final long EPOCH_OFFSET = 2_208_988_800L;
    private static final long ERA_SECONDS = 1L << 32;

    /** A client request (mode 3, version 4) carrying its send time in the transmit field. */
    static NtpPacket request(long transmitTime) {
        return new NtpPacket(0, 4, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, transmitTime);
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put((byte) ((leap & 3) << 6 | (version & 7) << 3 | mode & 7));
        b.put((byte) stratum).put((byte) poll).put((byte) precision);
        b.putInt(rootDelay).putInt(rootDispersion).putInt(referenceId);
        b.putLong(referenceTime).putLong(originateTime).putLong(receiveTime).putLong(transmitTime);
        return b.array();
    }

    /** Reads a packet; extension fields after byte 48 are ignored. */
    static NtpPacket decode(byte[] data, int length) {
        if (length < SIZE) {
            throw new IllegalArgumentException("an NTP packet has at least " + SIZE + " bytes; got " + length);
        }
        ByteBuffer b = ByteBuffer.wrap(data, 0, length);
        int first = b.get() & 0xff;
        int stratum = b.get() & 0xff;
        int poll = b.get();
        int precision = b.get();
        return new NtpPacket(first >> 6, first >> 3 & 7, first & 7, stratum, poll, precision, b.getInt(), b.getInt(), b.getInt(),
                b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    /** The reference id as people write it: {@code LOCL}, {@code RATE}, or {@code 192.0.2.1}. */
    String referenceText() {
        if (stratum <= 1) {
            StringBuilder sb = new StringBuilder();
            for (int shift = 24; shift >= 0; shift -= 8) {
                int c = referenceId >> shift & 0xff;
                if (c != 0) sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
            }
            return sb.toString();
        }
        return (referenceId >>> 24) + "." + (referenceId >> 16 & 0xff) + "." + (referenceId >> 8 & 0xff) + "." + (referenceId & 0xff);
    }

    /** Root delay or dispersion (NTP short format) as a duration. */
    static Duration shortFormat(int value) {
        return Duration.ofNanos(Math.round((value & 0xffffffffL) / 65536.0 * 1e9));
    }

    static long toNtp(Instant t) {
        long seconds = t.getEpochSecond() + EPOCH_OFFSET;
        long fraction = ((long) t.getNano() << 32) / 1_000_000_000L;
        return (seconds & 0xffffffffL) << 32 | fraction;
    }

    static Instant toInstant(long ntp) {
        long seconds = ntp >>> 32;
        if ((seconds & 0x8000_0000L) == 0) {
            seconds += ERA_SECONDS; // era 1: from 2036-02-07
        }
        long nanos = ((ntp & 0xffffffffL) * 1_000_000_000L) >>> 32;
        return Instant.ofEpochSecond(seconds - EPOCH_OFFSET, nanos);
    }

    /** The clock offset of RFC 4330: ((T2 − T1) + (T3 − T4)) / 2; positive when the server is ahead. */
    static Duration offset(Instant t1, Instant t2, Instant t3, Instant t4) {
        return Duration.between(t1, t2).plus(Duration.between(t4, t3)).dividedBy(2);
    }

    /** The round-trip delay of RFC 4330: (T4 − T1) − (T3 − T2). */
    static Duration delay(Instant t1, Instant t2, Instant t3, Instant t4) {
        return Duration.between(t1, t4).minus(Duration.between(t2, t3));
    }
}
