package dev.reach.shell.command;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code host[:port]} as typed after {@code target} or {@code diagnose}: {@code db01:5432}, {@code 127.0.0.1},
 * {@code [::1]:22}; a bare IPv6 address ({@code ::1}) is a host without a port.
 *
 * @param port the port as typed, or null when none was given
 */
public record HostPort(String host, String port) {
    public static HostPort parse(String text) {
        String t = text.strip();
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("'" + text + "': ']' is missing; write [::1]:22");
            String rest = t.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) throw new IllegalArgumentException("'" + text + "': expected ':PORT' after ']'");
            return of(t.substring(1, close), rest.isEmpty() ? null : rest.substring(1), text);
        }
        int colon = t.indexOf(':');
        if (colon < 0 || t.indexOf(':', colon + 1) >= 0) {
            return of(t, null, text);
        }
        return of(t.substring(0, colon), t.substring(colon + 1), text);
    }

    private static HostPort of(String host, String port, String text) {
        if (host.isEmpty()) throw new IllegalArgumentException("'" + text + "': the host is missing; write HOST[:PORT], like 127.0.0.1:5432");
        if (port != null && port.isEmpty()) throw new IllegalArgumentException("'" + text + "': the port after ':' is missing");
        return new HostPort(host, port);
    }

    /** As parameters: {@code host}, and {@code port} when given. */
    public Map<String, Object> params() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        if (port != null) m.put("port", port);
        return m;
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return port == null ? h : h + ":" + port;
    }
}
