package dev.reach.plugins.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** HTTP/1.1 on a connected socket: one request, one response, {@code Connection: close}; and proxy CONNECT. */
final class HttpWire {
    /** Bodies are read up to this many bytes; the rest is left unread. */
    static final int MAX_BODY = 1 << 20;
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;

    private HttpWire() {
    }

    /**
     * @param headers        names lower-cased, in the order received
     * @param firstByteNanos {@link System#nanoTime()} when the first byte of the response arrived
     */
    record Response(int status, String reason, Map<String, List<String>> headers, byte[] body, boolean truncated, long firstByteNanos) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.getFirst();
        }
    }

    /** Sends the request (the target in origin or absolute form) and reads the whole response. */
    static Response exchange(InputStream in, OutputStream out, String method, String target, String host, List<String> extra)
            throws IOException {
        StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        req.append("Host: ").append(host).append("\r\n");
        boolean agent = extra.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("user-agent:"));
        if (!agent) req.append("User-Agent: reach\r\n");
        req.append("Accept: */*\r\nConnection: close\r\n");
        extra.forEach(h -> req.append(h).append("\r\n"));
        out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        int first = in.read();
        long firstByte = System.nanoTime();
        if (first < 0) {
            throw new EOFException("the server closed the connection without answering");
        }
        String statusLine = (char) first + line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP response: '" + statusLine.substring(0, Math.min(60, statusLine.length())) + "'");
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = headers(in);
        boolean noBody = method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean truncated = false;
        if (!noBody) {
            String te = String.join(",", headers.getOrDefault("transfer-encoding", List.of())).toLowerCase(Locale.ROOT);
            String cl = headers.containsKey("content-length") ? headers.get("content-length").getFirst().trim() : null;
            truncated = te.contains("chunked") ? chunked(in, body) : copy(in, body, cl == null ? Long.MAX_VALUE : Long.parseLong(cl));
        }
        return new Response(status, parts.length > 2 ? parts[2] : "", headers, body.toByteArray(), truncated, firstByte);
    }

    /** Asks a proxy for a tunnel to {@code authority}; returns the proxy's status line. */
    static String connect(InputStream in, OutputStream out, String authority) throws IOException {
        out.write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\nUser-Agent: reach\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String status = line(in);
        headers(in);
        return status;
    }

    private static Map<String, List<String>> headers(InputStream in) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < MAX_HEADERS; i++) {
            String h = line(in);
            if (h.isEmpty()) {
                return headers;
            }
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(h.substring(colon + 1).trim());
            }
        }
        throw new IOException("more than " + MAX_HEADERS + " header lines");
    }

    /** One line without its CRLF (or LF). */
    static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new EOFException("the connection closed in the middle of the response head");
            }
            if (sb.length() > MAX_LINE) {
                throw new IOException("a response line is longer than " + MAX_LINE + " bytes");
            }
            if (b != '\r') sb.append((char) b);
        }
        return sb.toString();
    }

    /** Copies up to {@code length} bytes (or to EOF); true when it stopped at {@link #MAX_BODY}. */
    private static boolean copy(InputStream in, ByteArrayOutputStream body, long length) throws IOException {
        byte[] buf = new byte[8192];
        long left = length;
        while (left > 0) {
            if (body.size() >= MAX_BODY) {
                return true;
            }
            int n = in.read(buf, 0, (int) Math.min(buf.length, Math.min(left, MAX_BODY - body.size())));
            if (n < 0) {
                return false;
            }
            body.write(buf, 0, n);
            left -= n;
        }
        return false;
    }

    private static boolean chunked(InputStream in, ByteArrayOutputStream body) throws IOException {
        for (int i = 0; i < 100_000; i++) {
            String size = line(in);
            int semi = size.indexOf(';');
            long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                headers(in); // trailers
                return false;
            }
            if (copy(in, body, n)) {
                return true;
            }
            line(in);
        }
        return true;
    }
}
