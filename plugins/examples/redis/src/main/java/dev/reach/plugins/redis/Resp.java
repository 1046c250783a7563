package dev.reach.plugins.redis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The bit of RESP (the Redis serialization protocol) a PING needs: commands out as arrays of bulk strings,
 * one reply in. Anything that does not start like a RESP2 reply is read back as {@link Reply.Foreign} with
 * its first bytes, so the probe can say what answered instead.
 */
final class Resp {
    /** Longest line or bulk string read; PONG and error replies are far shorter. */
    static final int MAX_LENGTH = 64 * 1024;
    private static final int MAX_DEPTH = 4;
    private static final int MAX_ITEMS = 64;

    private Resp() {
    }

    /** One reply, as far as a probe cares. */
    sealed interface Reply {
        /** {@code +OK}, {@code +PONG}. */
        record Simple(String text) implements Reply { }
        /** {@code -WRONGPASS invalid username-password pair}: the first word is the error code. */
        record Error(String text) implements Reply {
            String code() {
                int sp = text.indexOf(' ');
                return sp < 0 ? text : text.substring(0, sp);
            }
        }
        record Number(long value) implements Reply { }
        /** {@code $-1} is a null bulk string: {@code text} is null. */
        record Bulk(String text) implements Reply { }
        record Array(List<Reply> items) implements Reply { }
        /** Not RESP: the bytes that came instead, up to the first line end (at most {@link #MAX_LENGTH}). */
        record Foreign(byte[] head) implements Reply { }
    }

    /** Thrown when the peer closed the connection before a whole reply came. */
    static final class Closed extends IOException {
        Closed(String message) {
            super(message);
        }
    }

    /** A command as RESP: an array of bulk strings, e.g. {@code *1\r\n$4\r\nPING\r\n}. */
    static byte[] command(String... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + words.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String w : words) {
            byte[] b = w.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    /**
     * Reads one reply. A timeout before the first byte propagates ({@link SocketTimeoutException}); bytes that
     * are not RESP come back as {@link Reply.Foreign}, even when the peer then goes quiet or closes.
     */
    static Reply read(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new Closed("closed the connection without answering");
        }
        if ("+-:$*".indexOf(first) < 0) {
            return new Reply.Foreign(foreignHead(first, in));
        }
        return read(first, in, 0);
    }

    private static Reply read(int type, InputStream in, int depth) throws IOException {
        String line = line(in);
        return switch (type) {
            case '+' -> new Reply.Simple(line);
            case '-' -> new Reply.Error(line);
            case ':' -> new Reply.Number(number(line));
            case '$' -> bulk(number(line), in);
            case '*' -> array(number(line), in, depth);
            default -> throw new IOException("unexpected RESP type '" + (char) type + "'");
        };
    }

    private static Reply bulk(long length, InputStream in) throws IOException {
        if (length < 0) {
            return new Reply.Bulk(null);
        }
        if (length > MAX_LENGTH) {
            throw new IOException("bulk string of " + length + " bytes is longer than " + MAX_LENGTH);
        }
        byte[] b = in.readNBytes((int) length + 2);
        if (b.length < length + 2) {
            throw new Closed("closed the connection in the middle of a reply");
        }
        return new Reply.Bulk(new String(b, 0, (int) length, StandardCharsets.UTF_8));
    }

    private static Reply array(long count, InputStream in, int depth) throws IOException {
        if (count < 0) {
            return new Reply.Array(List.of());
        }
        if (count > MAX_ITEMS || depth >= MAX_DEPTH) {
            throw new IOException("array of " + count + " items at depth " + depth + " is more than a PING reply holds");
        }
        List<Reply> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int type = in.read();
            if (type < 0) {
                throw new Closed("closed the connection in the middle of a reply");
            }
            items.add(read(type, in, depth + 1));
        }
        return new Reply.Array(items);
    }

    private static long number(String line) throws IOException {
        try {
            return Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new IOException("'" + line + "' is not a RESP length");
        }
    }

    /** Reads up to CRLF (not included); the line must end before {@link #MAX_LENGTH}. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < MAX_LENGTH; i++) {
            int b = in.read();
            if (b < 0) {
                throw new Closed("closed the connection in the middle of a reply");
            }
            if (b == '\n') {
                byte[] bytes = out.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            out.write(b);
        }
        throw new IOException("a RESP line longer than " + MAX_LENGTH + " bytes");
    }

    /** The first byte and what already arrived after it, up to a line end or 256 bytes: never waits for more. */
    private static byte[] foreignHead(int first, InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        try {
            for (int i = 0; i < 255 && first != '\n' && in.available() > 0; i++) {
                int b = in.read();
                if (b < 0 || b == '\n') {
                    break;
                }
                out.write(b);
            }
        } catch (IOException e) {
            // a reset after foreign bytes: what came is enough to say what it was
        }
        return out.toByteArray();
    }

    /** Foreign bytes as a person reads them: text when printable, else hex. */
    static String show(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1).strip();
        boolean printable = !text.isEmpty() && text.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\t');
        if (printable) {
            return '"' + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + '"';
        }
        int n = Math.min(head.length, 16);
        return "bytes " + HexFormat.ofDelimiter(" ").formatHex(head, 0, n) + (head.length > n ? " ..." : "");
    }
}
