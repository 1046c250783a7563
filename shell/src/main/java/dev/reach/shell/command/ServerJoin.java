package dev.reach.shell.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One verdict from both ends: A's diagnosis joined with what B saw meanwhile ({@link ServerVia}). What the wire showed
 * on B settles what A alone cannot tell apart: a SYN that never arrived ({@code path.filtered}), one B's firewall or
 * reverse-path filter dropped, an answer that never came back ({@code path.reply-lost}), a listener on the wrong
 * address. B's side decides only where A's packets went out (A's verdict is about the connection, not its name or its
 * own route); a working connection stays {@code ok} whatever B adds; B's absence leaves A's verdict as it was, with
 * one line saying why. Every evidence line says which side it comes from: {@code [A]} or {@code [B]}. Pure.
 */
final class ServerJoin {
    /** B's verdicts that name the cause of a failure seen from A. */
    static final Set<String> B_DECIDES = Set.of("firewall.local", "rpfilter.drop", "listen.overflow", "path.reply-lost",
            "listen.localhost-only", "listen.none", "service.inactive", "tcp.refused", "conntrack.full", "fd.exhausted");
    /** A's verdicts where A's packets went out and nothing came back: what B saw of them can say why. */
    static final Set<String> A_SILENT = Set.of("tcp.filtered", "host.down", "udp.no-response", "inconclusive");
    /** A's verdicts about the connection itself (B's side can name their cause); others (DNS, A's own route) stand. */
    static final Set<String> A_TRANSPORT = Set.of("tcp.filtered", "host.down", "udp.no-response", "inconclusive", "tcp.refused",
            "tcp.reset", "tcp.no-response", "udp.closed", "tcp.stall");
    /** The id of the step that holds B's view in A's result. */
    static final String STEP = "server";

    private ServerJoin() {
    }

    static RunResult join(RunResult a, ServerVia.View b, String via) {
        StepResult server = step(b, via);
        List<StepResult> steps = new ArrayList<>(a.steps());
        steps.add(server);
        Verdict v = verdict(a.verdict(), b, a);
        return new RunResult(a.playbook(), a.source(), a.inputs(), steps, v, a.started(), a.duration(), a.cancelled(), a.defaults());
    }

    static Verdict verdict(Verdict av, ServerVia.View b, RunResult a) {
        List<String> ev = new ArrayList<>();
        if (b.report().isEmpty()) {
            ev.addAll(av.evidence());
            ev.add("[B] the server's view is absent: " + b.absent());
            return withEvidence(av, ev);
        }
        JsonNode r = b.report().get();
        JsonNode bv = r.path("verdict");
        String bCause = bv.path("cause").asText("");
        Optional<JsonNode> flow = find(r.path("steps"), "flow");
        String outcome = flow.map(f -> f.path("facts").path("outcome").asText("")).orElse("");
        if (av.healthy()) {
            ev.addAll(av.evidence());
            ev.add("[B] " + flowLine(flow).orElse("B's verdict: " + bCause + ": " + bv.path("summary").asText()));
            return withEvidence(av, ev);
        }
        List<String> aLines = new ArrayList<>();
        aLines.add("[A] " + av.cause() + ": " + av.summary());
        av.evidence().stream().limit(6).forEach(e -> aLines.add("[A] " + e));
        List<String> bLines = new ArrayList<>();
        bLines.add("[B] " + bCause + ": " + bv.path("summary").asText());
        bv.path("evidence").forEach(e -> {
            if (bLines.size() < 16) bLines.add("[B] " + onAsClock(e.asText(), b.watching(), a.started()));
        });
        flow.filter(f -> f.path("status").asText().equals("skipped") && !f.path("summary").asText().startsWith("condition false"))
                .ifPresent(f -> bLines.add("[B] the packets were not watched there: " + f.path("summary").asText()));
        List<String> support = new ArrayList<>(av.supportedBy());
        support.add(STEP);
        JsonNode others = flow.map(f -> f.path("facts").path("others")).orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        if (outcome.equals("none") && others.isArray() && !others.isEmpty()) {
            // B saw the port asked from elsewhere: a NAT between may be A; nothing says A's packets were lost
            ev.addAll(av.evidence());
            List<String> from = new ArrayList<>();
            others.forEach(o -> from.add(o.asText()));
            ev.add("[B] nothing arrived from A's address, but SYNs to the port came from " + String.join(", ", from)
                    + " meanwhile: a NAT between the two would make A's packets look like those");
            return withEvidence(av, ev);
        }
        Optional<StepResult> egress = a.steps().stream().flatMap(ServerJoin::flat)
                .filter(s -> s.id().equals("egress") && s.status() != Status.SKIPPED).findFirst();
        if (outcome.equals("none") && A_SILENT.contains(av.cause()) && egress.isPresent()
                && "none".equals(egress.get().observation().facts().get("outcome"))) {
            // nothing reached B because nothing left A: A's own kernel kept it (its drop reason, where one was read)
            Observation eo = egress.get().observation();
            ev.add("[A] " + eo.summary());
            eo.evidence().stream().filter(e -> e.startsWith("kernel drop")).forEach(e -> ev.add("[A] " + e));
            ev.addAll(aLines);
            ev.addAll(bLines);
            String cause = eo.cause().orElse(av.cause());
            return new Verdict(cause, Confidence.LIKELY, "A's packets to port " + a.inputs().get("port") + " never left A: " + eo.summary()
                    + "; B saw nothing from it either (A alone: " + av.cause() + ")",
                    cause.equals(av.cause()) ? av.fix() : "Find what on this host drops them: nft list ruleset (every family, netdev"
                            + " egress included), tc filter show dev DEV egress, ip xfrm policy.", ev, support, true);
        }
        if (outcome.equals("none") && A_SILENT.contains(av.cause())) {
            egress.ifPresent(e -> ev.add("[A] " + e.observation().summary()));
            String client = flow.get().path("facts").path("client").asText("A");
            String trace = a.steps().stream().flatMap(ServerJoin::flat).filter(s -> s.id().equals("trace") && s.status() != Status.SKIPPED)
                    .findFirst().map(s -> "; from A, " + s.briefSummary()).orElse("");
            ev.addAll(bLines);
            ev.addAll(aLines);
            return new Verdict("path.filtered", Confidence.LIKELY, "A's packets to port " + a.inputs().get("port") + " left A and never reached B: B watched "
                    + "every interface while A connected and saw nothing from " + client + trace + ". A box between the two drops them (A alone said "
                    + av.cause() + ").",
                    "Find the last hop A reaches (reach probe path.trace host=" + a.inputs().get("host") + " method=tcp port=" + a.inputs().get("port")
                            + ") and check the firewall, security group or ACL after it; B's own firewall is not the cause.",
                    ev, support, true);
        }
        if (B_DECIDES.contains(bCause) && A_TRANSPORT.contains(av.cause())) {
            ev.addAll(bLines);
            ev.addAll(aLines);
            return new Verdict(bCause, Confidence.fromLabel(bv.path("confidence").asText()).orElse(Confidence.LIKELY),
                    "On B: " + bv.path("summary").asText() + " (A alone: " + av.cause() + ")",
                    bv.path("fix").asText(av.fix()), ev, support, true);
        }
        ev.addAll(av.evidence());
        ev.add("[B] " + bCause + ": " + bv.path("summary").asText());
        flowLine(flow).ifPresent(l -> ev.add("[B] " + l));
        return withEvidence(av, ev);
    }

    private static final java.util.regex.Pattern PACKET_LINE = java.util.regex.Pattern.compile("^(\\s*)(\\d+(?:\\.\\d+)?) ms (in |out) (.*)$");

    /**
     * One timeline: a packet line of B's watch ({@code 330.0 ms in eth0 SYN ...}, counted from B's watch beginning) on
     * A's run's clock ({@code at 212.4 ms of A's run: in eth0 SYN ...}), from when A heard the watch begin; other lines
     * as they are. The two clocks meet through the pipe between them: a millisecond or so on one host, a round trip
     * over ssh.
     */
    static String onAsClock(String line, java.time.Instant watching, java.time.Instant runStarted) {
        java.util.regex.Matcher m = PACKET_LINE.matcher(line);
        if (watching == null || runStarted == null || !m.matches()) return line;
        double ms = Double.parseDouble(m.group(2)) - java.time.Duration.between(watching, runStarted).toNanos() / 1e6;
        return String.format(java.util.Locale.ROOT, "%sat %.1f ms of A's run: %s %s", m.group(1), ms, m.group(3).strip(), m.group(4).strip());
    }

    private static Verdict withEvidence(Verdict v, List<String> evidence) {
        List<String> support = new ArrayList<>(v.supportedBy());
        support.add(STEP);
        return new Verdict(v.cause(), v.confidence(), v.summary(), v.fix(), evidence, support, v.concluded());
    }

    /** B's view as a step of A's run: B's verdict, and the watch's facts. */
    static StepResult step(ServerVia.View b, String via) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("via", via);
        if (b.report().isEmpty()) {
            return new StepResult(STEP, "probe", "listen (on the server)", params,
                    Observation.skipped("the server's view is absent: " + b.absent()).evidence("ran: " + String.join(" ", b.command())).build(), "", List.of());
        }
        JsonNode r = b.report().get();
        JsonNode bv = r.path("verdict");
        String cause = bv.path("cause").asText("");
        Status status = cause.equals("ok") ? Status.OK : Status.FAIL;
        Observation.Builder o = Observation.of(status, "B: " + bv.path("summary").asText()).fact("verdict", cause)
                .fact("confidence", bv.path("confidence").asText());
        if (!cause.equals("ok") && !cause.equals("inconclusive")) {
            try {
                o.cause(cause);
            } catch (IllegalArgumentException e) {
                o.fact("cause_text", cause);   // not a cause code: kept as text
            }
        }
        find(r.path("steps"), "flow").ifPresent(f -> f.path("facts").properties().forEach(e -> o.fact("flow_" + e.getKey(), value(e.getValue()))));
        bv.path("evidence").forEach(e -> o.evidence(e.asText()));
        o.evidence("ran: " + String.join(" ", b.command()));
        return new StepResult(STEP, "probe", "listen (on the server)", params, o.build(), "", List.of());
    }

    private static Object value(JsonNode n) {
        if (n.isArray()) {
            List<String> out = new ArrayList<>();
            n.forEach(x -> out.add(x.asText()));
            return out;
        }
        if (n.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
        return n.isNumber() ? n.numberValue() : n.asText();
    }

    private static Optional<String> flowLine(Optional<JsonNode> flow) {
        return flow.filter(f -> !f.path("status").asText().equals("skipped") || !f.path("summary").asText().startsWith("condition false"))
                .map(f -> "flow.watch: " + f.path("summary").asText());
    }

    /** The step with this id anywhere in a reach.run/1 steps array. */
    static Optional<JsonNode> find(JsonNode steps, String id) {
        for (JsonNode s : steps) {
            if (id.equals(s.path("id").asText())) return Optional.of(s);
            Optional<JsonNode> in = find(s.path("children"), id);
            if (in.isPresent()) return in;
        }
        return Optional.empty();
    }

    private static java.util.stream.Stream<StepResult> flat(StepResult s) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(s), s.children().stream().flatMap(ServerJoin::flat));
    }
}
