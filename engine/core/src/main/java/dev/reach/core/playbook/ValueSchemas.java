package dev.reach.core.playbook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON Schemas of values as {@link ParamType#convert} takes them, for {@link PlaybookSchema}: one literal schema a
 * type (the YAML scalars it converts, text as it parses it), and a parameter's schema: its type's literal, within its
 * bounds or allowed values, or an expression {@code ${...}}, which only a run can check. Patterns are written to
 * mean the same in JavaScript (editors) and Java.
 */
final class ValueSchemas {
    static final String TEMPLATE = "template";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    // a port as ParamType reads text: 1 to 65535, a '+' and leading zeros allowed
    private static final String PORT = "\\+?0*(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
    private static final String PORT_OR_RANGE = PORT + "(?:\\s*-\\s*" + PORT + ")?";
    // no leading '-': no name or address has one, and a tool's command line would take it for an option
    private static final String HOST = "(?!-)[A-Za-z0-9._:%-]{1,253}";
    // the words ParamType.BOOLEAN reads, in any case
    private static final List<String> BOOLEAN_WORDS = List.of("true", "yes", "on", "1", "false", "no", "off", "0");

    private ValueSchemas() {
    }

    /** The types an input may have, by label, each its literal schema; and the expression. */
    static void define(ObjectNode definitions) {
        for (ParamType t : InputsReader.types()) {
            definitions.set(t.label(), literal(t));
        }
        definitions.set(TEMPLATE, JSON.objectNode().put("type", "string").put("pattern", "\\$\\{[\\s\\S]*\\}")
                .put("description", "an expression, worked out when the step runs: ${inputs.port}, ${steps.dns.facts.addresses[0]}"));
    }

    /** The literal values of a type, with what it expects as the description. */
    static ObjectNode literal(ParamType t) {
        ObjectNode s = switch (t) {
            case STRING -> scalar();
            case INTEGER -> anyOf(JSON.objectNode().put("type", "integer"), text("^\\s*[+-]?[0-9]+\\s*$"));
            case BOOLEAN -> anyOf(JSON.objectNode().put("type", "boolean"), JSON.objectNode().set("enum", JSON.arrayNode().add(0).add(1)),
                    text("^\\s*(?:" + String.join("|", BOOLEAN_WORDS.stream().map(ValueSchemas::anyCase).toList()) + ")\\s*$"));
            case DURATION -> text("^\\s*[0-9]+(?:\\.[0-9]+)?\\s*(?:[mM][sS]|[sSmMhH])\\s*$");
            case PORT -> anyOf(port(), text("^\\s*" + PORT + "\\s*$"));
            case HOST -> scalar().put("pattern", "^\\s*(?:\\[" + HOST + "\\]|" + HOST + ")\\s*$");
            case PORTS -> anyOf(port(), text("^\\s*" + PORT_OR_RANGE + "(?:\\s*,\\s*" + PORT_OR_RANGE + ")*\\s*,*$"),
                    list(anyOf(port(), text("^\\s*" + PORT_OR_RANGE + "\\s*$"))).put("minItems", 1));
            case LIST -> anyOf(list(scalar()), scalar());
            case FILE -> scalar().put("pattern", "\\S");
            case CHOICE -> throw new IllegalArgumentException("a choice is its allowed values: see param(Param)");
        };
        return s.put("description", t.expected());
    }

    /**
     * A parameter under {@code with:}: its type's literal (within its bounds, or one of its allowed values) or an
     * expression; described with what it expects, its default and bounds; {@code default} is what editors offer.
     */
    static ObjectNode param(Param p) {
        ObjectNode literal;
        if (!p.allowed().isEmpty()) {
            literal = JSON.objectNode().set("enum", allowed(p.allowed()));
        } else {
            literal = JSON.objectNode().put("$ref", "#/definitions/" + p.type().label());
            if (p.min().orElse(p.max().orElse(null)) instanceof Number) { // a duration's bounds are in its description only
                ObjectNode bounded = JSON.objectNode().set("allOf", JSON.arrayNode().add(literal));
                p.min().ifPresent(min -> bounded.put("minimum", ((Number) min).longValue()));
                p.max().ifPresent(max -> bounded.put("maximum", ((Number) max).longValue()));
                literal = bounded;
            }
        }
        ObjectNode s = anyOf(literal, JSON.objectNode().put("$ref", "#/definitions/" + TEMPLATE));
        s.put("description", describe(p));
        p.defaultValue().ifPresent(d -> s.set("default", value(d)));
        p.deprecation().ifPresent(instead -> s.put("deprecationMessage", "deprecated: write " + instead + " instead"));
        return s;
    }

    private static String describe(Param p) {
        List<String> notes = new ArrayList<>();
        notes.add(p.allowed().isEmpty() ? p.type().expected() : "one of " + String.join(", ", p.allowed()));
        if (p.isRequired()) notes.add("required");
        p.defaultValue().ifPresent(d -> notes.add("default " + ParamType.format(d)));
        if (p.min().isPresent() || p.max().isPresent()) notes.add("range " + p.rangeText());
        if (p.isSecret()) notes.add("secret: reports show " + dev.reach.spi.ProbeSpec.HIDDEN);
        return p.description() + " (" + String.join("; ", notes) + ")";
    }

    /** A default as JSON: numbers and booleans as such, anything else (durations, lists) as a user writes it. */
    private static com.fasterxml.jackson.databind.JsonNode value(Object v) {
        return switch (v) {
            case Integer i -> JSON.numberNode(i);
            case Long l -> JSON.numberNode(l);
            case Boolean b -> JSON.booleanNode(b);
            default -> JSON.textNode(ParamType.format(v));
        };
    }

    /** Each allowed word as text, and also as YAML reads it bare where that is a number or a boolean ({@code family: 4}). */
    private static ArrayNode allowed(List<String> words) {
        ArrayNode out = JSON.arrayNode();
        for (String w : words) {
            out.add(w);
            if (w.matches("-?[0-9]{1,18}")) out.add(Long.parseLong(w));
            if (w.equals("true") || w.equals("false")) out.add(Boolean.parseBoolean(w));
        }
        return out;
    }

    /** {@code on} → {@code [oO][nN]}: JSON Schema patterns have no flag for case. */
    private static String anyCase(String word) {
        StringBuilder b = new StringBuilder();
        for (char c : word.toCharArray()) {
            b.append(Character.isLetter(c) ? "[" + Character.toLowerCase(c) + Character.toUpperCase(c) + "]" : String.valueOf(c));
        }
        return b.toString();
    }

    private static ObjectNode port() {
        return JSON.objectNode().put("type", "integer").put("minimum", 1).put("maximum", 65535);
    }

    private static ObjectNode scalar() {
        return JSON.objectNode().set("type", JSON.arrayNode().add("string").add("number").add("boolean"));
    }

    private static ObjectNode text(String pattern) {
        return JSON.objectNode().put("type", "string").put("pattern", pattern);
    }

    private static ObjectNode list(ObjectNode items) {
        return JSON.objectNode().put("type", "array").set("items", items);
    }

    private static ObjectNode anyOf(ObjectNode... alternatives) {
        ArrayNode a = JSON.arrayNode();
        for (ObjectNode o : alternatives) a.add(o);
        return JSON.objectNode().set("anyOf", a);
    }
}
