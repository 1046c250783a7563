package dev.reach.core.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reach.core.run.Durations;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Millis;
import dev.reach.spi.ParamType;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run as JSON for machines, in the schema {@value #SCHEMA} documented in {@code docs/json.md} (and
 * {@code docs/reach-run.schema.json}). Keys come in a fixed order; inputs, params and nested maps are sorted
 * by key, facts keep the order the probe reported them. Fields are only ever added within one schema version.
 *
 * <pre>{@code
 * new JsonReport().render(result, writer);   // {"schema": "reach.run/1", "playbook": ..., "verdict": {...}, ...}
 * }</pre>
 */
public final class JsonReport {
    /** The schema name and major version every document carries in its {@code schema} field. */
    public static final String SCHEMA = "reach.run/1";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // the streaming generator, not an ObjectMapper: a mapper's first use costs 50-80 ms of class loading
    // and date-format set-up at every start, and a report has only trees of plain nodes to write
    private static final JsonFactory JSON = new JsonFactory();
    private final DefaultPrettyPrinter printer;

    public JsonReport() {
        var indent = new DefaultIndenter("  ", "\n");
        printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("").withArrayEmptySeparator(""));
        printer.indentObjectsWith(indent);
        printer.indentArraysWith(indent);
    }

    public String render(RunResult run) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setPrettyPrinter(printer.createInstance());
            g.setCharacterEscapes(ControlEscapes.INSTANCE);
            write(tree(run), g);
        } catch (IOException e) {
            throw new UncheckedIOException("a JSON tree did not serialize (a bug)", e);
        }
        return out.append('\n').toString();
    }

    /**
     * JSON escapes U+0000 to U+001F itself; DEL, the C1 controls and the other characters {@link Visible} shows are
     * written as JSON's Unicode escapes too, so that {@code --json} on a terminal cannot act on it either.
     */
    private static final class ControlEscapes extends com.fasterxml.jackson.core.io.CharacterEscapes {
        static final ControlEscapes INSTANCE = new ControlEscapes();
        private final int[] ascii = standardAsciiEscapesForJSON();

        private ControlEscapes() {
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int c) {
            return Visible.special(c) ? new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", c)) : null;
        }
    }

    /** Writes a tree of plain nodes (objects, arrays, text, numbers, booleans, null) without a mapper. */
    private static void write(JsonNode n, JsonGenerator g) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (var field : n.properties()) {
                    g.writeFieldName(field.getKey());
                    write(field.getValue(), g);
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode element : n) {
                    write(element, g);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case DOUBLE -> g.writeNumber(n.doubleValue());
                    case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
                }
            }
            default -> g.writeNull();
        }
    }

    public void render(RunResult run, Writer out) throws IOException {
        out.write(render(run));
    }

    /** The document as a tree, for tests and embedders who want to add to it. */
    ObjectNode tree(RunResult run) {
        ObjectNode root = NODES.objectNode();
        root.put("schema", SCHEMA);
        root.put("playbook", run.playbook());
        root.put("source", orNull(run.source()));
        root.set("inputs", given(run.inputs()));
        root.put("started", run.started().toString());
        root.put("duration_ms", Millis.of(run.duration()));
        root.put("cancelled", run.cancelled());
        root.put("exit_code", run.exitCode());
        root.put("healthy", run.healthy());
        root.set("verdict", verdict(run.verdict()));
        root.set("steps", steps(run.steps()));
        return root;
    }

    private static ObjectNode verdict(Verdict v) {
        ObjectNode node = NODES.objectNode();
        node.put("cause", v.cause());
        node.put("confidence", v.confidence().label());
        node.put("summary", v.summary());
        node.put("fix", orNull(v.fix()));
        node.set("evidence", value(v.evidence()));
        node.set("supported_by", value(v.supportedBy()));
        node.put("concluded", v.concluded());
        return node;
    }

    private static ArrayNode steps(List<StepResult> steps) {
        ArrayNode array = NODES.arrayNode();
        for (StepResult s : steps) {
            ObjectNode node = array.addObject();
            node.put("id", s.id());
            node.put("kind", s.kind());
            node.put("probe", orNull(s.probe()));
            node.set("params", given(s.params()));
            node.put("status", s.status().label());
            node.put("cause", s.observation().cause().orElse(null));
            node.put("summary", s.observation().summary());
            ObjectNode facts = node.putObject("facts");
            s.observation().facts().forEach((k, v) -> facts.set(k, value(v)));
            node.set("evidence", value(s.observation().evidence()));
            node.put("duration_ms", Millis.of(s.observation().duration()));
            node.put("branch", orNull(s.branch()));
            node.set("children", steps(s.children()));
        }
        return array;
    }

    private static ObjectNode sorted(Map<?, ?> map) {
        return sorted(map, JsonReport::value);
    }

    /** Inputs and params: as {@link #sorted}, but a list of ports is the string users write ({@code "1-65535"}), not 65535 numbers. */
    private static ObjectNode given(Map<?, ?> map) {
        return sorted(map, v -> v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(e -> e instanceof Integer || e instanceof Long)
                ? NODES.textNode(ParamType.format(l)) : value(v));
    }

    private static ObjectNode sorted(Map<?, ?> map, java.util.function.Function<Object, JsonNode> render) {
        ObjectNode node = NODES.objectNode();
        var byKey = new TreeMap<String, Object>();
        map.forEach((k, v) -> byKey.put(String.valueOf(k), v));
        byKey.forEach((k, v) -> node.set(k, render.apply(v)));
        return node;
    }

    /** JSON-native values as they are; durations as users write them ({@code 3s}); anything else as text. */
    private static JsonNode value(Object v) {
        return switch (v) {
            case null -> NODES.nullNode();
            case String s -> NODES.textNode(s);
            case Boolean b -> NODES.booleanNode(b);
            case Integer i -> NODES.numberNode(i);
            case Long l -> NODES.numberNode(l);
            case Short s -> NODES.numberNode(s);
            case Byte b -> NODES.numberNode(b);
            case BigInteger b -> NODES.numberNode(b);
            case BigDecimal b -> NODES.numberNode(b);
            case Double d when Double.isFinite(d) -> NODES.numberNode(d);
            case Float f when Float.isFinite(f) -> NODES.numberNode(f);
            case Duration d -> NODES.textNode(ParamType.format(d));
            case Map<?, ?> m -> sorted(m);
            case Collection<?> c -> {
                ArrayNode array = NODES.arrayNode();
                c.forEach(e -> array.add(value(e)));
                yield array;
            }
            default -> NODES.textNode(v.toString());
        };
    }

    private static String orNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
