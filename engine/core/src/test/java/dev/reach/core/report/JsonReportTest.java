package dev.reach.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class JsonReportTest {
    private static final Path DOC = Path.of("../../docs/json.md");
    private static final Path SCHEMA = Path.of("../../docs/reach-run.schema.json");
    /** Objects whose keys belong to playbooks and probes, not to the schema. */
    private static final Set<String> FREE_FORM = Set.of("inputs", "params", "facts");

    private final JsonReport json = new JsonReport();

    @Test
    void everyEmittedFieldIsDocumentedInJsonMd() throws IOException {
        String doc = Files.readString(DOC);
        Set<String> fields = new TreeSet<>();
        for (RunResult run : samples()) {
            collect(json.tree(run), "", fields);
        }
        assertThat(fields).contains("verdict.supported_by", "steps[].children", "steps[].duration_ms");
        assertThat(fields).allSatisfy(field -> assertThat(doc).as("docs/json.md documents `%s`", field).contains("`" + field + "`"));
    }

    @Test
    void everySampleConformsToTheSchemaFile() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(SCHEMA.toFile());
        for (RunResult run : samples()) {
            JsonNode doc = new ObjectMapper().readTree(json.render(run));
            assertThat(SchemaCheck.errors(schema, doc)).as(run.playbook()).isEmpty();
        }
    }

    @Test
    void schemaCheckCatchesMissingWrongAndUndeclaredFields() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(SCHEMA.toFile());
        ObjectNode doc = json.tree(SampleRuns.playbook());
        doc.remove("healthy");
        doc.put("novel", 1);
        ((ObjectNode) doc.get("steps").get(3).get("children").get(0)).put("status", "broken");
        ((ObjectNode) doc.get("verdict")).put("cause", "Not A Cause");
        assertThat(SchemaCheck.errors(schema, doc)).containsExactlyInAnyOrder(
                "$: missing healthy",
                "$.novel: not declared in the schema",
                "$.verdict.cause: 'Not A Cause' does not match \"^[a-z][a-z0-9]*(\\\\.[a-z0-9]+(-[a-z0-9]+)*)*$\"",
                "$.steps[3].children[0].status: \"broken\" not in [\"ok\",\"warn\",\"fail\",\"error\",\"skipped\"]");
    }

    @Test
    void exampleInJsonMdIsTheRealOutput() throws IOException {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("```json\n") + "```json\n".length();
        assertThat(doc.substring(start, doc.indexOf("```", start))).isEqualTo(json.render(SampleRuns.refusedProbe()));
    }

    @Test
    void valuesRenderAsUsersWriteThem() {
        var step = SampleRuns.probe("wait", "test.wait", Map.of("interval", Duration.ofMillis(500), "timeout", Duration.ofMinutes(1)),
                Observation.ok("waited")
                        .fact("waited", Duration.ofSeconds(3))
                        .fact("nested", Map.of("z", 1, "a", List.of(Duration.ofMillis(20), true)))
                        .fact("ratio", Double.NaN)
                        .fact("at", Instant.parse("2026-11-25T10:00:00Z"))
                        .build());
        JsonNode doc = json.tree(run(step));
        JsonNode s = doc.get("steps").get(0);
        assertThat(s.get("params").toString()).isEqualTo("{\"interval\":\"500ms\",\"timeout\":\"1m\"}");
        assertThat(s.get("facts").toString()).isEqualTo(
                "{\"waited\":\"3s\",\"nested\":{\"a\":[\"20ms\",true],\"z\":1},\"ratio\":\"NaN\",\"at\":\"2026-11-25T10:00:00Z\"}");
    }

    @Test
    void emptyTextFieldsAreNull() {
        var step = new StepResult("all", "parallel", "", Map.of(), Observation.ok("both answered").build(), "", List.of());
        JsonNode doc = json.tree(run(step));
        assertThat(doc.get("source").isNull()).isTrue();
        assertThat(doc.get("verdict").get("fix").isNull()).isTrue();
        JsonNode s = doc.get("steps").get(0);
        assertThat(List.of(s.get("probe"), s.get("cause"), s.get("branch"))).allMatch(JsonNode::isNull);
    }

    private static RunResult run(StepResult step) {
        RunResult healthy = SampleRuns.healthyProbe();
        return new RunResult("probe " + step.probe(), "", Map.of(), List.of(step), healthy.verdict(),
                healthy.started(), healthy.duration(), false);
    }

    private static List<RunResult> samples() {
        return List.of(SampleRuns.healthyProbe(), SampleRuns.refusedProbe(), SampleRuns.playbook());
    }

    /** Field paths like {@code verdict.cause} and {@code steps[].id}; children are steps, so they fold into {@code steps[]}. */
    private static void collect(JsonNode node, String path, Set<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                String field = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                out.add(field);
                if (!FREE_FORM.contains(e.getKey())) collect(e.getValue(), field, out);
            });
        } else if (node.isArray()) {
            String items = path.equals("steps[].children") ? "steps[]" : path + "[]";
            node.forEach(e -> collect(e, items, out));
        }
    }
}
