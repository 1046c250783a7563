package dev.reach.plugins.net;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The first words of a protocol: what tcp.hello sends after the handshake (nothing, for a protocol whose server
 * speaks first), the same grown to one full-size segment, and how an answer is recognised. A port says which
 * protocol to expect; an unknown port gets a TLS ClientHello, which a TLS server answers in TLS and most plain
 * services answer with an error line (HTTP's 400, SMTP's 500) or by closing.
 */
enum Greeting {
    TLS(false, 443, 8443, 993, 995, 465, 636, 853, 990, 5671, 6443, 9443, 10250),
    HTTP(false, 80, 8080, 8000, 8008, 8081, 8082, 8088, 8888, 3000, 5000, 9090),
    SSH(true, 22),
    SMTP(true, 25, 587, 2525),
    FTP(true, 21),
    POP3(true, 110),
    IMAP(true, 143),
    MYSQL(true, 3306),
    POSTGRES(false, 5432),
    REDIS(false, 6379),
    /** An unknown port: a TLS ClientHello, since TLS on any port must be seen. */
    AUTO(false),
    /** An unknown port that must not get TLS: blank lines, nmap's GenericLines. */
    PLAIN(false);

    private final boolean serverFirst;
    private final int[] ports;

    Greeting(boolean serverFirst, int... ports) {
        this.serverFirst = serverFirst;
        this.ports = ports;
    }

    /** The protocol's name as the probe's {@code protocol} parameter and facts write it. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean serverFirst() {
        return serverFirst;
    }

    /** The greeting the parameter names; {@code auto} picks by port. */
    static Greeting of(String protocol, int port) {
        if (!protocol.equals("auto")) return valueOf(protocol.toUpperCase(Locale.ROOT));
        return Arrays.stream(values()).filter(g -> Arrays.stream(g.ports).anyMatch(p -> p == port)).findFirst().orElse(AUTO);
    }

    /** What a server that speaks TLS answers with: the greeting sends a ClientHello. */
    boolean sendsTls() {
        return this == TLS || this == AUTO;
    }

    /**
     * The first request, or an empty array when the server speaks first.
     *
     * @param name the server's name for the Host header and SNI (an address is never sent as SNI)
     * @param path the HTTP request target
     */
    byte[] first(String name, String path) {
        return switch (this) {
            case TLS, AUTO -> TlsClientHello.build(name, 0);
            case HTTP -> http(name, path, 0);
            case POSTGRES -> new byte[] {0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f}; // SSLRequest: 'S' or 'N' comes back
            case REDIS -> ascii("PING\r\n");
            case PLAIN -> ascii("\r\n\r\n");
            default -> new byte[0];
        };
    }

    /**
     * The same words grown to exactly {@code size} bytes (one full-size segment), still valid where the protocol
     * allows padding (an HTTP header, TLS's padding extension, PING's argument); elsewhere a line of padding, which
     * only has to be acknowledged.
     */
    byte[] padded(String name, String path, int size) {
        return switch (this) {
            case TLS, AUTO -> TlsClientHello.build(name, size);
            case HTTP -> http(name, path, size);
            case REDIS -> line("PING ", size);
            default -> line("", size);
        };
    }

    /** HEAD PATH HTTP/1.1 with Host and, to reach {@code size} bytes, an X-Padding header. */
    private static byte[] http(String name, String path, int size) {
        String host = name.contains(":") && !name.startsWith("[") ? "[" + name + "]" : name;
        String head = "HEAD " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: reach\r\nAccept: */*\r\nConnection: close\r\n";
        String pad = "X-Padding: ";
        int fill = size - head.length() - pad.length() - 4;
        return ascii(fill > 0 ? head + pad + "x".repeat(fill) + "\r\n\r\n" : head + "\r\n");
    }

    private static byte[] line(String prefix, int size) {
        return ascii(prefix + "x".repeat(Math.max(0, size - prefix.length() - 2)) + "\r\n");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The protocol an answer is written in, from its first bytes whatever was asked: tls, http, ssh, smtp or ftp
     * (a 220 greeting; the words after it decide), pop3, imap, redis, postgres (SSLRequest's one-byte 'S' or 'N'),
     * mysql (a handshake or error packet), or unknown.
     */
    static String recognise(byte[] got) {
        if (TlsClientHello.isTls(got)) return "tls";
        String text = new String(got, 0, Math.min(got.length, 256), StandardCharsets.ISO_8859_1);
        String upper = text.toUpperCase(Locale.ROOT);
        if (text.startsWith("HTTP/") || upper.startsWith("<!DOCTYPE HTML") || upper.startsWith("<HTML")) return "http";
        if (text.startsWith("SSH-")) return "ssh";
        if (text.startsWith("220")) return upper.contains("FTP") ? "ftp" : "smtp";
        if (text.startsWith("+OK")) return "pop3";
        if (text.startsWith("* OK") || text.startsWith("* PREAUTH") || text.startsWith("* BYE")) return "imap";
        if (text.startsWith("+PONG") || text.startsWith("-NOAUTH") || text.startsWith("-ERR") || text.startsWith("-DENIED")) return "redis";
        if (got.length == 1 && (got[0] == 'S' || got[0] == 'N')) return "postgres";
        if (got.length >= 5 && (got[3] == 0) && ((got[4] & 0xff) == 10 || (got[4] & 0xff) == 0xff)
                && ((got[0] & 0xff) | (got[1] & 0xff) << 8 | (got[2] & 0xff) << 16) == got.length - 4) {
            return "mysql";
        }
        return "unknown";
    }

    /** The status code of an HTTP answer's first line ({@code HTTP/1.1 503 ...}), or null when it is not one. */
    static Integer httpStatus(byte[] got) {
        String text = new String(got, 0, Math.min(got.length, 64), StandardCharsets.ISO_8859_1);
        var m = java.util.regex.Pattern.compile("^HTTP/\\d(?:\\.\\d)? (\\d{3})\\b").matcher(text);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    /** True when enough has come back to judge: a TLS record header, a whole line, Postgres' one byte, or 256 bytes. */
    static boolean complete(byte[] got) {
        if (got.length == 0) return false;
        if (TlsClientHello.isTls(got) && got.length >= 7) return true;
        if (got.length == 1 && (got[0] == 'S' || got[0] == 'N')) return true;
        for (byte b : got) if (b == '\n') return true;
        return got.length >= 256;
    }

    /** The first line of an answer for people: printable ASCII, the rest escaped, at most 100 characters. */
    static String quote(byte[] got) {
        if (TlsClientHello.isTls(got)) return TlsClientHello.describe(got);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < got.length && s.length() < 100; i++) {
            int c = got[i] & 0xff;
            if (c == '\r' || c == '\n') break;
            if (c >= 0x20 && c < 0x7f) s.append((char) c);
            else s.append(String.format(Locale.ROOT, "\\x%02x", c));
        }
        return "\"" + s + "\"";
    }
}
