package dev.reach.core.playbook;

import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a playbook's {@code inputs:}: each a type name, or {type, required, default, description, allowed}. */
final class InputsReader {
    static final List<String> INPUT_KEYS = List.of("type", "required", "default", "description", "allowed", "secret");

    private final YamlTree y;

    InputsReader(YamlTree y) {
        this.y = y;
    }

    Map<String, Param> inputs(Node n) {
        Map<String, NodeTuple> m = y.mapping(n, "inputs");
        Map<String, Param> out = new LinkedHashMap<>();
        if (m == null) return out;
        for (var e : m.entrySet()) {
            Node keyNode = e.getValue().getKeyNode();
            if (!PlaybookLoader.ID.matcher(e.getKey()).matches()) {
                y.problem(keyNode, "input name '" + e.getKey() + "' must be lower-case letters, digits and _");
                continue;
            }
            Param p = input(e.getKey(), e.getValue().getValueNode());
            if (p != null) out.put(e.getKey(), p);
        }
        return out;
    }

    private Param input(String name, Node n) {
        Map<String, NodeTuple> m;
        if (n instanceof ScalarNode) {
            String type = y.text(n, "input '" + name + "'");
            return type == null ? null : typed(name, type, n, "", List.of());
        }
        m = y.mapping(n, "input '" + name + "'");
        if (m == null) return null;
        y.onlyKeys(m, "input '" + name + "'", INPUT_KEYS);
        String type = m.containsKey("type") ? y.text(m.get("type").getValueNode(), "type") : "string";
        if (type == null) return null;
        String description = m.containsKey("description") ? y.text(m.get("description").getValueNode(), "description") : "";
        List<String> allowed = m.containsKey("allowed") ? y.words(m.get("allowed").getValueNode(), "allowed") : List.of();
        Param p = typed(name, type, m.containsKey("type") ? m.get("type").getValueNode() : n, description == null ? "" : description, allowed);
        if (p == null) return null;
        if (m.containsKey("default")) {
            Node d = m.get("default").getValueNode();
            try {
                p = p.defaultValue(y.value(d));
            } catch (IllegalArgumentException ex) {
                y.problem(d, "bad default for input '" + name + "': " + ex.getMessage());
            }
        } else if (m.containsKey("required") && Boolean.TRUE.equals(y.value(m.get("required").getValueNode()))) {
            p = p.required();
        }
        if (m.containsKey("secret") && Boolean.TRUE.equals(y.value(m.get("secret").getValueNode()))) {
            p = p.secret(); // the run's inputs show (hidden); the steps it feeds get the value
        }
        return p;
    }

    /** The types an input may name: every parameter type but choice, which an input says with {@code allowed:}. */
    static List<ParamType> types() {
        return Arrays.stream(ParamType.values()).filter(t -> t != ParamType.CHOICE).toList();
    }

    private Param typed(String name, String type, Node at, String description, List<String> allowed) {
        if (!allowed.isEmpty()) {
            return Param.choice(name, description, allowed.toArray(String[]::new));
        }
        for (ParamType t : types()) {
            if (t.label().equals(type)) {
                return Param.of(name, t, description);
            }
        }
        List<String> labels = types().stream().map(ParamType::label).toList();
        y.problem(at, "unknown input type '" + type + "'; " + dev.reach.core.playbook.ParamBinder.closest(type, labels)
                .map(c -> "did you mean '" + c + "'? ").orElse("") + "(types: " + String.join(", ", labels)
                + "; or give 'allowed:' values)");
        return null;
    }

}
