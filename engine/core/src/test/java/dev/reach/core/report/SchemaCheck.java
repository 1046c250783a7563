package dev.reach.core.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The part of JSON Schema 2020-12 that docs/reach-run.schema.json uses ({@code $ref} to {@code #/$defs},
 * type, const, enum, required, properties, additionalProperties, items, minimum, pattern, anyOf), with one
 * strictness a validator would not add: a field the schema does not declare is an error, so the schema
 * cannot fall behind the renderer. No validator library is available to the build.
 */
final class SchemaCheck {
    private final JsonNode root;
    private final List<String> errors = new ArrayList<>();

    private SchemaCheck(JsonNode root) {
        this.root = root;
    }

    /** Every way {@code doc} breaks {@code schema}, as {@code path: problem}; empty when it conforms. */
    static List<String> errors(JsonNode schema, JsonNode doc) {
        return errors(schema, schema, doc);
    }

    private void check(JsonNode schema, JsonNode node, String path) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            check(root.at(ref.substring(1)), node, path);
        }
        if (schema.has("anyOf")) {
            boolean any = false;
            for (JsonNode option : schema.get("anyOf")) any |= errors(root, option, node).isEmpty();
            if (!any) errors.add(path + ": matches none of anyOf");
        }
        if (schema.has("type") && !typeMatches(schema.get("type"), node)) {
            errors.add(path + ": " + node.getNodeType() + " is not " + schema.get("type"));
        }
        if (schema.has("const") && !schema.get("const").equals(node)) errors.add(path + ": not " + schema.get("const"));
        if (schema.has("enum") && !contains(schema.get("enum"), node)) errors.add(path + ": " + node + " not in " + schema.get("enum"));
        if (schema.has("minimum") && node.isNumber() && node.asDouble() < schema.get("minimum").asDouble()) {
            errors.add(path + ": below " + schema.get("minimum"));
        }
        if (schema.has("pattern") && node.isTextual() && !Pattern.compile(schema.get("pattern").asText()).matcher(node.asText()).find()) {
            errors.add(path + ": '" + node.asText() + "' does not match " + schema.get("pattern"));
        }
        if (node.isObject()) {
            for (JsonNode required : schema.path("required")) {
                if (!node.has(required.asText())) errors.add(path + ": missing " + required.asText());
            }
        }
        if (node.isObject() && (schema.has("properties") || schema.has("additionalProperties"))) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                JsonNode declared = schema.path("properties").get(field.getKey());
                JsonNode sub = declared != null ? declared : schema.get("additionalProperties");
                if (sub == null) {
                    errors.add(path + "." + field.getKey() + ": not declared in the schema");
                } else {
                    check(sub, field.getValue(), path + "." + field.getKey());
                }
            }
        }
        if (node.isArray() && schema.has("items")) {
            for (int i = 0; i < node.size(); i++) check(schema.get("items"), node.get(i), path + "[" + i + "]");
        }
    }

    /** Checks {@code node} against {@code schema}, a part of {@code root} that its {@code $ref}s resolve in. */
    private static List<String> errors(JsonNode root, JsonNode schema, JsonNode node) {
        var check = new SchemaCheck(root);
        check.check(schema, node, "$");
        return check.errors;
    }

    private static boolean typeMatches(JsonNode type, JsonNode node) {
        if (type.isArray()) {
            for (JsonNode t : type) if (typeMatches(t, node)) return true;
            return false;
        }
        return switch (type.asText()) {
            case "string" -> node.isTextual();
            case "number" -> node.isNumber();
            case "integer" -> node.isIntegralNumber();
            case "boolean" -> node.isBoolean();
            case "null" -> node.isNull();
            case "array" -> node.isArray();
            case "object" -> node.isObject();
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }

    private static boolean contains(JsonNode list, JsonNode node) {
        for (JsonNode e : list) if (e.equals(node)) return true;
        return false;
    }
}
