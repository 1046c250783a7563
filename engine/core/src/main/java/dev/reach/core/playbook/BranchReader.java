package dev.reach.core.playbook;

import dev.reach.spi.Status;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a step's {@code on:} map: {@code STATUS|CAUSE: next | stop | STEP | {goto: STEP, max: N}}. */
final class BranchReader {
    static final List<String> TARGET_KEYS = List.of("goto", "max");
    /** The most a {@code max:} may allow one jump to be taken. */
    static final int MAX_JUMPS = 100;

    private final YamlTree y;

    BranchReader(YamlTree y) {
        this.y = y;
    }

    List<Branch> branches(Node n) {
        Map<String, NodeTuple> m = y.mapping(n, "'on:'");
        List<Branch> out = new ArrayList<>();
        if (m == null) return out;
        for (var e : m.entrySet()) {
            Node keyNode = e.getValue().getKeyNode();
            Target target = target(e.getValue().getValueNode());
            if (target == null) continue;
            var status = Status.fromLabel(e.getKey());
            out.add(new Branch(status.orElse(null), status.isPresent() ? null : e.getKey(), target, y.pos(keyNode)));
        }
        return out;
    }

    /**
     * The scalar form of {@code on:}, where a probe runs: true for {@code server}, false for {@code client}; anything
     * else, or either on a step that runs no probe of its own ({@code probes} false), is a problem said at its place.
     */
    boolean onServer(Node n, boolean probes, String what) {
        String side = y.text(n, "on");
        if (!"server".equals(side) && !"client".equals(side)) {
            y.problem(n, "'on:' is either a map of outcomes to where the run goes next (on: {fail: diagnose}) or where the"
                    + " probe runs: server or client (allowed: server, client)");
            return false;
        }
        if (!probes) {
            y.problem(n, "'on: " + side + "' says where a probe runs; " + what + " runs none of its own (put it on its probe steps)");
        }
        return "server".equals(side);
    }

    private Target target(Node n) {
        if (n instanceof ScalarNode) {
            String t = y.text(n, "an 'on:' target");
            if (t == null) return null;
            return switch (t) {
                case "next" -> Target.NEXT;
                case "stop" -> Target.STOP;
                default -> new Target.GoTo(t, 0, y.pos(n));
            };
        }
        Map<String, NodeTuple> m = y.mapping(n, "an 'on:' target");
        if (m == null) return null;
        y.onlyKeys(m, "an 'on:' target", TARGET_KEYS);
        if (!m.containsKey("goto")) {
            y.problem(n, "an 'on:' target is next, stop, a step id, or {goto: STEP, max: N}");
            return null;
        }
        String step = y.text(m.get("goto").getValueNode(), "goto");
        int max = 0;
        if (m.containsKey("max")) {
            Object v = y.value(m.get("max").getValueNode());
            if (v instanceof Long l && l >= 1 && l <= MAX_JUMPS) {
                max = l.intValue();
            } else {
                y.problem(m.get("max").getValueNode(), "'max:' is how many times the jump may be taken: a whole number from 1 to " + MAX_JUMPS);
            }
        }
        return step == null ? null : new Target.GoTo(step, max, y.pos(m.get("goto").getValueNode()));
    }

}
