package dev.reach.core.playbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;

import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schema of YAML playbooks, for editors (the yaml-language-server: completion, hover, checks as you type).
 * Written from the loader's own keys ({@link PlaybookLoader}, {@link InputsReader}, {@link BranchReader}), the
 * probes' specs and the cause catalogue, never by hand: step kinds and their keys, probe ids, each probe's
 * parameters with their types, bounds and allowed values, the {@code on:} keys (statuses and causes), verdicts and
 * inputs. Draft-07, the newest dialect the yaml-language-server reads in full. The loader stays the judge: names
 * inside expressions, jump targets, loops, duplicate ids and a duration's bounds are beyond a schema.
 *
 * <pre>{@code
 * ObjectNode schema = PlaybookSchema.of(List.of(TcpConnectProbe.SPEC), Map.of("tcp.refused", "nothing listens"));
 * Files.writeString(Path.of("playbook.schema.json"), PlaybookSchema.text(schema));
 * }</pre>
 */
public final class PlaybookSchema {
    public static final String DIALECT = "http://json-schema.org/draft-07/schema#";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final List<ProbeSpec> probes;
    private final Map<String, String> causes;

    private PlaybookSchema(Collection<ProbeSpec> probes, Map<String, String> causes) {
        this.probes = List.copyOf(probes);
        this.causes = new LinkedHashMap<>(causes);
    }

    /**
     * The schema for these probes (in the order given) and causes (code → what a verdict naming it says, in
     * catalogue order).
     */
    public static ObjectNode of(Collection<ProbeSpec> probes, Map<String, String> causes) {
        return new PlaybookSchema(probes, causes).schema();
    }

    /** The schema as a file holds it: two-space indents, one value a line, ASCII, a newline at the end. */
    public static String text(ObjectNode schema) {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withArrayEmptySeparator("").withObjectEmptySeparator(""));
        printer.indentObjectsWith(indent);
        printer.indentArraysWith(indent);
        try {
            // anything past ASCII written as a JSON escape: the same file whatever encoding standard output has
            return new ObjectMapper().writer(printer).with(JsonWriteFeature.ESCAPE_NON_ASCII).writeValueAsString(schema) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode schema() {
        ObjectNode root = object().put("$schema", DIALECT)
                .put("$comment", "Written by 'reach schema playbook' from the playbook loader, the probes' specs and the cause catalogue; do not edit, write it again.")
                .put("title", "reach playbook")
                .put("description", "A reach playbook: typed inputs, steps that run probes, branch on what they find and end in a verdict.")
                .put("type", "object");
        root.set("required", JSON.arrayNode().add("steps"));
        root.set("properties", keys(PlaybookLoader.TOP_KEYS, this::topKey));
        root.put("additionalProperties", false);
        root.set("definitions", definitions());
        return root;
    }

    private ObjectNode definitions() {
        ObjectNode d = object();
        List<String> kinds = PlaybookLoader.STEP_KEYS.keySet().stream().sorted().toList();
        ArrayNode steps = JSON.arrayNode();
        ArrayNode branches = JSON.arrayNode();
        for (String kind : kinds) {
            d.set("step." + kind, kind(kind, false));
            steps.add(ref("step." + kind));
            if (!kind.equals("verdict")) { // a verdict cannot run inside 'parallel', nor can a branch jump ('on:')
                d.set("branch." + kind, kind(kind, true));
                branches.add(ref("branch." + kind));
            }
        }
        d.set("step", object().put("description", "a step: one of " + String.join(", ", kinds)).set("anyOf", steps));
        d.set("branch", object().put("description", "a step inside 'parallel' (no 'on:', no verdict)").set("anyOf", branches));
        d.set("probe", probeIds());
        d.set("probeCall", probeCall());
        d.set("on", on());
        d.set("side", object().put("description", "where the step's probe runs: server (through --server-via) or client (here, the default)")
                .set("enum", JSON.arrayNode().add("server").add("client")));
        d.set("target", target());
        d.set("verdict", object().put("type", "object").put("description", "concludes the run with a cause, a summary, a fix and the steps that support it")
                .<ObjectNode>set("required", JSON.arrayNode().add("cause"))
                .<ObjectNode>set("properties", keys(PlaybookLoader.VERDICT_KEYS, this::verdictKey)).put("additionalProperties", false));
        d.set("input", input());
        d.set("stepId", object().put("type", "string").put("pattern", "^" + PlaybookLoader.ID.pattern() + "$")
                .set("not", object().set("enum", JSON.arrayNode().add(Target.NEXT.toString()).add(Target.STOP.toString()))));
        d.set("expression", object().set("type", JSON.arrayNode().add("string").add("boolean")));
        d.set("text", object().set("type", JSON.arrayNode().add("string").add("number").add("boolean")));
        d.set("words", object().set("anyOf", JSON.arrayNode().add(object().put("type", "string"))
                .add(object().put("type", "array").set("items", object().set("type", JSON.arrayNode().add("string").add("number"))))));
        ValueSchemas.define(d);
        return d;
    }

    /** One kind of step: its keys (a branch's without 'on:'), the ones that make it that kind required. */
    private ObjectNode kind(String kind, boolean branch) {
        boolean probes = kind.equals("probe") || kind.equals("foreach");   // 'on: server' says where their probe runs
        List<String> keys = PlaybookLoader.STEP_KEYS.get(kind).stream().filter(k -> !(branch && k.equals("on") && !probes)).toList();
        ArrayNode required = JSON.arrayNode().add("id");
        keys.stream().filter(PlaybookLoader.KINDS::contains).forEach(required::add);
        if (!PlaybookLoader.KINDS.contains(kind)) required.add(kind); // foreach: a probe step with 'foreach:'
        ObjectNode s = object().put("title", kind + " step").put("type", "object");
        s.set("required", required);
        ObjectNode properties = keys(keys, this::stepKey);
        if (probes) {
            properties.set("on", branch ? ref("side") : object().set("anyOf", JSON.arrayNode().add(ref("on")).add(ref("side"))));
        }
        s.set("properties", properties);
        s.put("additionalProperties", false);
        if (keys.contains("probe")) s.set("allOf", JSON.arrayNode().add(ref("probeCall")));
        return s;
    }

    /** Each probe's parameters under 'with:', chosen by its id under 'probe:'. */
    private ObjectNode probeCall() {
        ArrayNode each = JSON.arrayNode();
        for (ProbeSpec spec : probes) {
            ObjectNode params = object();
            spec.params().forEach(p -> params.set(p.name(), ValueSchemas.param(p)));
            ObjectNode with = object().put("type", "object").put("description", spec.id() + " takes: " + String.join(", ",
                    spec.shownParams().stream().map(Param::name).toList()));
            with.set("properties", params);
            ArrayNode required = JSON.arrayNode();
            spec.params().stream().filter(Param::isRequired).map(Param::name).forEach(required::add);
            if (!required.isEmpty()) with.set("required", required);
            with.put("additionalProperties", false);
            ObjectNode then = object();
            then.set("properties", object().set("with", with));
            if (!required.isEmpty()) then.set("required", JSON.arrayNode().add("with"));
            ObjectNode when = object();
            when.set("properties", object().set("probe", object().put("const", spec.id())));
            when.set("required", JSON.arrayNode().add("probe"));
            each.add(object().<ObjectNode>set("if", when).set("then", then));
        }
        return each.isEmpty() ? object() : object().set("allOf", each);
    }

    private ObjectNode on() {
        ObjectNode keys = object();
        for (Status s : Status.values()) {
            keys.set(s.label(), described("when the step's status is " + s.label(), ref("target")));
        }
        causes.forEach((code, says) -> keys.putIfAbsent(code, described("when the step names cause " + code + ": " + says, ref("target"))));
        return object().put("type", "object").put("description", "where to go when the step ends with a status or a cause (a cause wins); "
                + "default: the next step").<ObjectNode>set("properties", keys).put("additionalProperties", false);
    }

    private ObjectNode target() {
        ObjectNode jump = object().put("type", "object").put("description", "a jump that may be taken at most 'max' times (a jump back must say)");
        jump.set("required", JSON.arrayNode().add("goto"));
        jump.set("properties", keys(BranchReader.TARGET_KEYS, key -> switch (key) {
            case "goto" -> described("the step to jump to", ref("stepId"));
            case "max" -> object().put("type", "integer").put("minimum", 1).put("maximum", BranchReader.MAX_JUMPS)
                    .put("description", "how many times the jump may be taken in one run");
            default -> unknown(key, "an 'on:' target");
        }));
        jump.put("additionalProperties", false);
        ObjectNode word = object().put("description", "next: the next step; stop: end the run here")
                .set("enum", JSON.arrayNode().add(Target.NEXT.toString()).add(Target.STOP.toString()));
        return object().set("anyOf", JSON.arrayNode().add(word).add(described("the step to jump to", ref("stepId"))).add(jump));
    }

    private ObjectNode input() {
        ArrayNode types = JSON.arrayNode();
        InputsReader.types().forEach(t -> types.add(t.label()));
        ArrayNode defaults = JSON.arrayNode(); // the default is of the input's type (allowed: makes it a choice)
        for (ParamType t : InputsReader.types()) {
            ObjectNode when = object();
            when.set("properties", object().set("type", object().put("const", t.label())));
            when.set("required", JSON.arrayNode().add("type"));
            when.set("not", object().set("required", JSON.arrayNode().add("allowed")));
            defaults.add(object().<ObjectNode>set("if", when).set("then", object().set("properties", object().set("default", ref(t.label())))));
        }
        ObjectNode full = object().put("type", "object");
        full.set("properties", keys(InputsReader.INPUT_KEYS, key -> switch (key) {
            case "type" -> object().put("description", "the input's type (default string)").set("enum", types);
            case "required" -> described("a value must be given (--set NAME=VALUE)", ref("boolean"));
            case "default" -> object().put("description", "the value when none is given");
            case "description" -> described("what the input is, for help", ref("text"));
            case "allowed" -> described("the only values it takes", ref("words"));
            case "secret" -> described("a password or token: steps get the value, reports show " + ProbeSpec.HIDDEN, ref("boolean"));
            default -> unknown(key, "an input");
        }));
        full.put("additionalProperties", false);
        full.set("allOf", defaults);
        ObjectNode alone = object().put("type", "string").put("description", "the input's type alone").set("enum", types);
        return object().set("anyOf", JSON.arrayNode().add(alone).add(full));
    }

    private ObjectNode topKey(String key) {
        return switch (key) {
            case "name" -> described("the playbook's name in reports (default: the file name)", ref("text"));
            case "description" -> described("what the playbook finds, in a paragraph", ref("text"));
            case "inputs" -> object().put("type", "object").put("description", "what the playbook takes (--set NAME=VALUE): "
                            + "each a type, or {type, required, default, description, allowed, secret}")
                    .<ObjectNode>set("propertyNames", object().put("pattern", "^" + PlaybookLoader.ID.pattern() + "$"))
                    .set("additionalProperties", ref("input"));
            case "steps" -> object().put("type", "array").put("minItems", 1).put("description", "the steps, run in order unless 'on:' says otherwise")
                    .set("items", ref("step"));
            case "timeout" -> described("the whole run's deadline (default " + ParamType.format(Playbook.DEFAULT_TIMEOUT)
                    + "; --timeout overrides it)", ref("duration"));
            default -> unknown(key, "the playbook");
        };
    }

    private ObjectNode stepKey(String key) {
        return switch (key) {
            case "id" -> described("the step's name: steps.ID in expressions, a target for 'on:'", ref("stepId"));
            case "probe" -> ref("probe");
            case "with" -> object().put("type", "object").put("description", "the probe's parameters (or the included playbook's inputs); "
                    + "a value may be an expression: ${inputs.port}");
            case "when" -> described("run the step only when this holds, else skip it: steps.connect.status == 'fail'", ref("expression"));
            case "on" -> ref("on");
            case "timeout" -> described("this step's deadline", ref("duration"));
            case "foreach" -> object().put("description", "run the probe once per item: a list, or one expression like ${inputs.ports}")
                    .set("anyOf", JSON.arrayNode().add(object().put("type", "array").put("maxItems", Step.ForEachStep.MAX_ITEMS)).add(ref(ValueSchemas.TEMPLATE)));
            case "as" -> object().put("type", "string").put("pattern", "^" + PlaybookLoader.ID.pattern() + "$").put("default", "item")
                    .put("description", "the name each item has in expressions (default item)")
                    .set("not", object().set("enum", JSON.arrayNode().addAll(PlaybookLoader.SCOPE_NAMES.stream().map(JSON::textNode).toList())));
            case "verdict" -> ref("verdict");
            case "parallel" -> object().put("type", "array").put("minItems", 2).put("description", "steps run at once; this step waits for them all")
                    .set("items", ref("branch"));
            case "until" -> described("cut short the branches still running once this holds, asked as each one ends: steps.connect?.ok",
                    ref("expression"));
            case "include" -> object().put("type", "string").put("description", "another playbook, relative to this file; its verdict is this step's result");
            default -> unknown(key, "a step");
        };
    }

    private ObjectNode verdictKey(String key) {
        return switch (key) {
            case "cause" -> object().put("type", "string").put("description", "a cause code from the fault catalogue ('reach causes' lists them)")
                    .<ObjectNode>set("enum", JSON.arrayNode().addAll(causes.keySet().stream().map(JSON::textNode).toList()))
                    .set("enumDescriptions", JSON.arrayNode().addAll(causes.values().stream().map(JSON::textNode).toList()));
            case "confidence" -> object().put("description", "how sure the verdict is (default likely)")
                    .set("enum", JSON.arrayNode().addAll(Arrays.stream(Confidence.values()).map(c -> JSON.textNode(c.label())).toList()));
            case "summary" -> described("what was found, in a sentence; ${...} parts are filled in", ref("text"));
            case "fix" -> described("what to do about it", ref("text"));
            case "evidence" -> described("the ids of the steps that support it", ref("words"));
            default -> unknown(key, "a verdict");
        };
    }

    private ObjectNode probeIds() {
        ObjectNode s = object().put("type", "string").put("description", "the probe to run ('reach probes' lists them)");
        if (probes.isEmpty()) return s.put("pattern", ProbeSpec.ID.pattern());
        s.set("enum", JSON.arrayNode().addAll(probes.stream().map(p -> JSON.textNode(p.id())).toList()));
        return s.set("enumDescriptions", JSON.arrayNode().addAll(probes.stream().map(p -> JSON.textNode(p.summary())).toList()));
    }

    private static ObjectNode keys(List<String> keys, java.util.function.Function<String, ObjectNode> schema) {
        ObjectNode out = object();
        keys.forEach(k -> out.set(k, schema.apply(k)));
        return out;
    }

    /** A key the loader takes that this class does not know fails the schema's writing, so the two cannot drift apart. */
    private static ObjectNode unknown(String key, String where) {
        throw new IllegalStateException("the loader takes '" + key + "' in " + where + ", which PlaybookSchema does not describe: add it there");
    }

    /** {@code schema} with a description; a {@code $ref} is wrapped, as draft-07 ignores what stands beside one. */
    private static ObjectNode described(String description, ObjectNode schema) {
        ObjectNode s = schema.has("$ref") ? object().set("allOf", JSON.arrayNode().add(schema)) : schema;
        return s.put("description", description);
    }

    private static ObjectNode ref(String definition) {
        return object().put("$ref", "#/definitions/" + definition);
    }

    private static ObjectNode object() {
        return JSON.objectNode();
    }
}
