package dev.reach.plugins.http;

import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the proxy environment variables do to one URL, the way curl and most tools read them:
 * {@code http_proxy}/{@code HTTP_PROXY} for http, {@code https_proxy}/{@code HTTPS_PROXY} for https,
 * {@code all_proxy}/{@code ALL_PROXY} for both, and {@code no_proxy}/{@code NO_PROXY} to bypass
 * (comma-separated: {@code *}, a domain and its subdomains with or without a leading dot, an IP address,
 * optionally {@code :port}). Lower case wins over upper case, as in curl.
 */
final class ProxyEnv {
    private ProxyEnv() {
    }

    /**
     * @param proxy     the proxy to use, e.g. {@code http://127.0.0.1:3128}
     * @param variables the variables that decided it, as {@code NAME=value}
     */
    record Route(URI proxy, List<String> variables) {
    }

    /** The proxy for this URL, or empty (then {@link #bypass} says whether no_proxy overrode one). */
    static Optional<Route> route(URI url, Map<String, String> env) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        String[] names = scheme.equals("https") ? new String[] {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}
                : new String[] {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"};
        for (String name : names) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                continue;
            }
            List<String> vars = new ArrayList<>(List.of(name + "=" + value));
            String noProxyName = env.containsKey("no_proxy") ? "no_proxy" : "NO_PROXY";
            String noProxy = env.getOrDefault(noProxyName, "");
            if (bypassed(url, noProxy)) {
                return Optional.empty();
            }
            if (!noProxy.isBlank()) {
                vars.add(noProxyName + "=" + noProxy);
            }
            return Optional.of(new Route(URI.create(value.contains("://") ? value.trim() : "http://" + value.trim()), vars));
        }
        return Optional.empty();
    }

    /** The variables that would have sent this URL to a proxy but for no_proxy; empty when none did. */
    static List<String> bypass(URI url, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        for (String name : List.of("no_proxy", "NO_PROXY")) {
            String v = env.get(name);
            if (v != null && !v.isBlank() && bypassed(url, v)) {
                out.add(name + "=" + v);
            }
        }
        return out;
    }

    static boolean bypassed(URI url, String noProxy) {
        String host = url.getHost().toLowerCase(Locale.ROOT);
        host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = url.getPort() > 0 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        for (String raw : noProxy.split(",")) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                return true;
            }
            int colon = entry.lastIndexOf(':');
            if (colon > 0 && entry.indexOf(':') == colon && entry.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                if (Integer.parseInt(entry.substring(colon + 1)) != port) {
                    continue;
                }
                entry = entry.substring(0, colon);
            }
            entry = entry.startsWith("[") && entry.endsWith("]") ? entry.substring(1, entry.length() - 1) : entry;
            entry = entry.startsWith("*.") ? entry.substring(1) : entry;
            String domain = entry.startsWith(".") ? entry.substring(1) : entry;
            if (sameAddress(host, domain) || host.equals(domain) || host.endsWith("." + domain)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.ofLiteral(a).equals(InetAddress.ofLiteral(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
