package dev.reach.shell.history;

import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The facts of a run worth comparing with another run of the same target, read from its steps by probe (so any
 * playbook that runs these probes gets them): the name's answer and where it came from, the route, the next hop's MAC,
 * the interface MTU and the path MTU, the certificate, the listening addresses, the HTTP status; and the figures a
 * baseline is made of (round trips, loss, connect time, clock offset). What a step did not observe is left out, never
 * guessed.
 */
public final class RunFacts {
    /** The comparable facts in the order they are shown, with what people call them. */
    public static final Map<String, String> LABELS = labels(
            "address", "DNS answer",
            "route", "route",
            "next_hop", "next hop MAC",
            "mtu", "interface MTU",
            "path_mtu", "path MTU",
            "certificate", "certificate",
            "chain", "rest of the chain",
            "listening", "listening on",
            "http_status", "HTTP status");

    /** The figures, with their labels (all in milliseconds but loss, in percent). */
    public static final Map<String, String> METRIC_LABELS = labels(
            "rtt_ms", "ICMP round trip",
            "tcp_rtt_ms", "TCP round trip",
            "loss_pct", "ICMP loss",
            "connect_ms", "connect time",
            "clock_offset_ms", "clock offset");

    /** How the evidence line of a departure from the baseline begins ({@link Drift.Departure}, its verdict's first line). */
    static final String BASELINE_EVIDENCE = "baseline: ";

    private RunFacts() {
    }

    /**
     * Whether {@code v} is a healthy run's verdict that the history turned into a departure from its baseline: the
     * target worked in that run (the request got through), so the run still counts towards the baseline.
     */
    static boolean departed(dev.reach.core.run.Verdict v) {
        return (v.cause().equals("path.latency") || v.cause().equals("path.loss")) && !v.concluded()
                && !v.evidence().isEmpty() && v.evidence().getFirst().startsWith(BASELINE_EVIDENCE);
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The record of {@code result} (not yet numbered), as run from {@code origin}. */
    public static RunRecord of(RunResult result, String origin) {
        List<StepResult> steps = new ArrayList<>();
        flatten(result.steps(), steps);
        String host = text(result.inputs().get("host"));
        Map<String, String> facts = new LinkedHashMap<>();
        Map<String, Double> metrics = new LinkedHashMap<>();

        step(steps, "dns.resolve", host).ifPresent(s -> put(facts, "address", answer(s.observation().facts())));
        step(steps, "route.lookup", host).ifPresent(s -> put(facts, "route", route(s.observation().facts())));
        step(steps, "neigh.check", host).ifPresent(s -> {
            Map<String, Object> f = s.observation().facts();
            if (f.get("mac") != null) put(facts, "next_hop", f.get("mac") + " (" + f.get("neighbour") + ")");
        });
        step(steps, "iface.status", null).ifPresent(s -> {
            Map<String, Object> f = s.observation().facts();
            if (f.get("mtu") != null) put(facts, "mtu", f.get("interface") + " " + f.get("mtu"));
        });
        step(steps, "path.mtu", host).ifPresent(s -> {
            Object pmtu = first(s.observation().facts(), "path_mtu", "pmtu", "mtu");
            if (pmtu != null) put(facts, "path_mtu", String.valueOf(pmtu));
        });
        step(steps, "tls.handshake", host).ifPresent(s -> {
            put(facts, "certificate", certificate(s.observation().facts()));
            put(facts, "chain", chain(s.observation().facts()));
        });
        step(steps, "sockets.listen", null).ifPresent(s -> {
            if (s.observation().facts().get("addresses") instanceof List<?> l && !l.isEmpty()) put(facts, "listening", join(l));
        });
        step(steps, "http.get", host).ifPresent(s -> {
            Object status = s.observation().facts().get("status");
            if (status != null) put(facts, "http_status", String.valueOf(status));
        });

        step(steps, "icmp.ping", host).ifPresent(s -> {
            Map<String, Object> f = s.observation().facts();
            if (number(f.get("received")) != null && number(f.get("received")) > 0) metric(metrics, "rtt_ms", f.get("rtt_avg_ms"));
            // answers in a burst, then silence: a rate limit's share, not the path's loss
            if (!"rate-limited".equals(f.get("outcome"))) metric(metrics, "loss_pct", f.get("loss_pct"));
        });
        step(steps, "tcp.hello", host).ifPresent(s -> metric(metrics, "tcp_rtt_ms", s.observation().facts().get("rtt_ms")));
        step(steps, "tcp.connect", host).filter(s -> s.status() == Status.OK)   // a timeout is no measurement
                .ifPresent(s -> metric(metrics, "connect_ms", s.observation().facts().get("connect_ms")));
        step(steps, "time.compare", host).or(() -> step(steps, "ntp.offset", null))
                .ifPresent(s -> metric(metrics, "clock_offset_ms", s.observation().facts().get("offset_ms")));

        var v = result.verdict();
        boolean worked = result.healthy() || !result.cancelled() && departed(v);
        return new RunRecord(0, target(result), result.playbook(), result.started(), result.duration().toNanos() / 1e6,
                v.cause(), v.confidence().label(), result.healthy(), worked, v.summary(), origin, facts, metrics);
    }

    /**
     * What a run diagnosed, as the history keys it: {@code HOST:PORT} ({@code [v6]:PORT}), {@code /udp} for UDP, from
     * the run's {@code host} and {@code port} inputs; a run without them is keyed by its playbook.
     */
    public static String target(RunResult result) {
        return target(result.inputs(), result.playbook());
    }

    static String target(Map<String, Object> inputs, String playbook) {
        String host = text(inputs.get("host"));
        String port = text(inputs.get("port"));
        if (host == null || host.isEmpty()) return playbook;
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String key = port == null || port.isEmpty() ? h : h + ":" + port;
        return "udp".equals(text(inputs.get("proto"))) ? key + "/udp" : key;
    }

    /** A target as typed ({@code db01:5432}, {@code https://web/}, {@code ns1:53/udp}) as the history keys it. */
    public static String target(String typed, Function<String, Map<String, Object>> parse) {
        try {
            return target(parse.apply(typed), typed);
        } catch (IllegalArgumentException e) {
            return typed;
        }
    }

    private static void flatten(List<StepResult> steps, List<StepResult> out) {
        for (StepResult s : steps) {
            out.add(s);
            flatten(s.children(), out);
        }
    }

    /** The first step of {@code probe} that ran, preferring one asked about {@code host}. */
    private static Optional<StepResult> step(List<StepResult> steps, String probe, String host) {
        List<StepResult> ran = steps.stream().filter(s -> probe.equals(s.probe()) && s.status() != Status.SKIPPED
                && s.status() != Status.ERROR).toList();
        return ran.stream().filter(s -> host == null || host.equals(text(s.params().get("host")))).findFirst()
                .or(() -> ran.stream().findFirst());
    }

    /** The name's answer and its source: {@code 198.18.2.2 (hosts)}, or what came back instead. */
    private static String answer(Map<String, Object> f) {
        if (f.get("system_addresses") instanceof List<?> l && !l.isEmpty()) {
            return join(l) + " (" + Objects.toString(f.get("system_source"), "system") + ")";
        }
        if (f.get("addresses") instanceof List<?> l && !l.isEmpty()) return join(l) + " (nameserver)";
        if (f.get("address") != null) return f.get("address") + " (" + Objects.toString(f.get("address_source"), "?") + ")";
        return f.get("rcode") != null ? "no address (" + f.get("rcode") + ")" : null;
    }

    /** The way out, without the destination (another answer for the name is not another route): {@code via GW dev DEV src SRC}. */
    private static String route(Map<String, Object> f) {
        if (f.get("type") == null && f.get("dev") == null) return null;
        StringBuilder b = new StringBuilder();
        if (f.get("type") != null && !"unicast".equals(f.get("type"))) b.append(f.get("type")).append(' ');
        if (f.get("gateway") != null) b.append("via ").append(f.get("gateway")).append(' ');
        if (f.get("dev") != null) b.append("dev ").append(f.get("dev")).append(' ');
        if (f.get("src") != null) b.append("src ").append(f.get("src")).append(' ');
        if (f.get("table") != null && !"main".equals(f.get("table"))) b.append("table ").append(f.get("table"));
        return b.toString().strip();
    }

    /** The leaf certificate: fingerprint (first 16 hex digits), subject and end of validity. */
    private static String certificate(Map<String, Object> f) {
        if (!(f.get("chain") instanceof List<?> chain) || chain.isEmpty() || !(chain.getFirst() instanceof Map<?, ?> leaf)) return null;
        String sha = Objects.toString(leaf.get("sha256"), "");
        return (sha.length() >= 16 ? "sha256 " + sha.substring(0, 16) + " " : "") + "'" + leaf.get("subject") + "' until " + leaf.get("not_after");
    }

    /** The certificates after the leaf, by fingerprint (first 16 hex digits) and subject: an intermediate swapped shows. */
    private static String chain(Map<String, Object> f) {
        if (!(f.get("chain") instanceof List<?> chain) || chain.size() < 2) return null;
        List<String> rest = new ArrayList<>();
        for (Object c : chain.subList(1, chain.size())) {
            if (!(c instanceof Map<?, ?> m)) continue;
            String sha = Objects.toString(m.get("sha256"), "");
            rest.add((sha.length() >= 16 ? sha.substring(0, 16) + " " : "") + "'" + m.get("subject") + "'");
        }
        return rest.isEmpty() ? null : String.join(", ", rest);
    }

    private static Object first(Map<String, Object> f, String... keys) {
        for (String k : keys) if (f.get(k) != null) return f.get(k);
        return null;
    }

    private static String join(List<?> l) {
        return String.join(", ", l.stream().map(String::valueOf).toList());
    }

    private static void put(Map<String, String> facts, String key, String value) {
        if (value != null && !value.isBlank()) facts.put(key, value);
    }

    private static void metric(Map<String, Double> metrics, String key, Object value) {
        Double d = number(value);
        if (d != null && Double.isFinite(d)) metrics.put(key, d);
    }

    private static Double number(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String text(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
