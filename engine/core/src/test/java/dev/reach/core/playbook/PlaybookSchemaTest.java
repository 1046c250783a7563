package dev.reach.core.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.reach.core.run.TestProbes;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The editors' schema takes every shipped playbook (by the shipped docs/playbook.schema.json, which
 * PlaybookSchemaIT keeps equal to what 'reach schema playbook' writes), and refuses every invalid fixture that is
 * wrong in its structure; the fixtures wrong in what only the loader and validator can see are listed, with why.
 * Checked with networknt's json-schema-validator, as draft-07.
 */
class PlaybookSchemaTest {
    private static final Path SHIPPED = Path.of("../../docs/playbook.schema.json");
    private static final SchemaRegistry DRAFT_7 = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    /** Invalid fixtures a schema cannot refuse: each wrong only in what the loader resolves, with why. */
    private static final Map<String, String> BEYOND_A_SCHEMA = Map.ofEntries(
            entry("bad-input-reference.yaml", "a name inside an expression (inputs.hots)"),
            entry("bad-step-reference.yaml", "a name inside an expression (steps.conect)"),
            entry("until-unknown-step.yaml", "a name inside an expression (steps.connnect)"),
            entry("expression-syntax.yaml", "JavaScript syntax inside an expression"),
            entry("until-syntax.yaml", "JavaScript syntax inside an expression"),
            entry("duplicate-id.yaml", "ids unique across steps: a schema sees one step at a time"),
            entry("duplicate-key.yaml", "a key given twice: the parser keeps one before a schema sees the mapping"),
            entry("unknown-name.yaml", "names inside an expression: a schema sees the expression as text"),
            entry("duration-out-of-range.yaml", "a duration's bounds (10m over 5m): a pattern checks its form, not its length"),
            entry("include-missing.yaml", "a file that does not exist"),
            entry("jump-into-parallel.yaml", "a jump to a step inside 'parallel': step ids are the file's, not the schema's"),
            entry("unknown-jump-target.yaml", "a jump to a step that does not exist"),
            entry("unbounded-loop.yaml", "a loop: a jump back without max"),
            entry("invalid-yaml.yaml", "not YAML: the editor's YAML parser says so before any schema applies"),
            entry("yaml-tag.yaml", "a YAML tag: refused by the YAML reader before any schema applies"));

    static Stream<Path> shipped() throws IOException {
        try (var files = Files.list(Path.of("../../playbooks"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    static Stream<Path> invalid() throws IOException {
        return InvalidPlaybooksTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void everyShippedPlaybookIsValidByTheShippedSchema(Path file) throws IOException {
        Schema schema = DRAFT_7.getSchema(new ObjectMapper().readTree(SHIPPED.toFile()));
        assertThat(schema.validate(yaml(file).orElseThrow())).as("%s against %s; if a probe or the loader changed, write the "
                + "schema again: ./reach schema playbook > docs/playbook.schema.json", file, SHIPPED).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void anInvalidFixtureIsRefusedUnlessOnlyTheLoaderCanTell(Path file) throws IOException {
        Optional<JsonNode> playbook = yaml(file);
        String name = file.getFileName().toString();
        if (BEYOND_A_SCHEMA.containsKey(name)) {
            playbook.ifPresent(p -> assertThat(testSchema().validate(p)).as("%s is listed as beyond a schema (%s), yet the "
                    + "schema refuses it: take it off the list", name, BEYOND_A_SCHEMA.get(name)).isEmpty());
            return;
        }
        assertThat(playbook).as("%s is not YAML; list it with the reason", name).isPresent();
        assertThat(testSchema().validate(playbook.get())).as("%s: %s", name, Files.readAllLines(file).getFirst()).isNotEmpty();
    }

    @Test
    void theFixturesSplitBetweenRefusedAndListed() throws IOException {
        List<String> names = invalid().map(p -> p.getFileName().toString()).toList();
        assertThat(names).containsAll(BEYOND_A_SCHEMA.keySet());
        assertThat(names.size() - BEYOND_A_SCHEMA.size()).as("fixtures the schema refuses").isEqualTo(19);
    }

    @Test
    void theSchemaIsDraft07ByItsMetaSchema() {
        Schema meta = DRAFT_7.getSchema(SchemaLocation.of(PlaybookSchema.DIALECT));
        assertThat(meta.validate(generated())).isEmpty();
        assertThat(generated().get("$schema").asText()).isEqualTo("http://json-schema.org/draft-07/schema#");
    }

    @Test
    void everyKeyTheLoaderTakesIsAProperty() {
        JsonNode d = generated().get("definitions");
        assertThat(names(generated().get("properties"))).containsExactlyElementsOf(PlaybookLoader.TOP_KEYS);
        PlaybookLoader.STEP_KEYS.forEach((kind, keys) -> assertThat(names(d.get("step." + kind).get("properties")))
                .as(kind).containsExactlyElementsOf(keys));
        assertThat(d.get("branch.probe").get("properties").get("on").get("$ref").asText()).as("inside parallel, 'on:' only says where")
                .isEqualTo("#/definitions/side");
        assertThat(names(d.get("branch.parallel").get("properties"))).doesNotContain("on");
        assertThat(d.has("branch.verdict")).as("no verdict inside parallel").isFalse();
        assertThat(names(d.get("verdict").get("properties"))).containsExactlyElementsOf(PlaybookLoader.VERDICT_KEYS);
        assertThat(names(d.get("input").get("anyOf").get(1).get("properties"))).containsExactlyElementsOf(InputsReader.INPUT_KEYS);
    }

    /** For each type, the schema takes exactly the literals {@link ParamType#convert} takes, in the samples below. */
    @Test
    void aLiteralIsTakenByTheSchemaWhenTheTypeConvertsIt() {
        List<Object> samples = List.of("3s", " 3S ", "1.5s", "500 ms", "3", 3, 1.5, "443", 443, 0, 70000, "70000", "+80", "080",
                "0", "-1", "22,80-82", "22, 80 ,", ",22", "80-", "80 - 82", List.of(22, "80-82"), List.of(), List.of("a", "b"),
                List.of(List.of("x")), "db01", "[::1]", "::1", " db01 ", "a b", "", true, false, "yes", "On", "OFF", "1", 1, 2,
                "maybe", Map.of("a", 1));
        List<String> differ = new ArrayList<>();
        JsonNode definitions = generated().get("definitions");
        for (ParamType t : InputsReader.types()) {
            ObjectNode only = new ObjectMapper().createObjectNode().put("$ref", "#/definitions/" + t.label());
            only.set("definitions", definitions);
            Schema schema = DRAFT_7.getSchema(only);
            for (Object v : samples) {
                boolean converts = converts(t, v);
                if (converts != schema.validate(new ObjectMapper().valueToTree(v)).isEmpty()) {
                    differ.add(t.label() + " " + (v instanceof String ? "'" + v + "'" : v) + ": converts " + converts);
                }
            }
        }
        assertThat(differ).isEmpty();
    }

    @Test
    void aChoiceTakesItsWordsAndTheNumbersYamlReadsThemAs() {
        JsonNode with = withOf("tcp.connect");
        Schema family = DRAFT_7.getSchema(subschema(with.get("properties").get("family")));
        for (Object ok : List.of("any", "4", 4, 6, "${inputs.family}")) {
            assertThat(family.validate(new ObjectMapper().valueToTree(ok))).as("%s", ok).isEmpty();
        }
        for (Object bad : List.of("ipv4", 5, true)) {
            assertThat(family.validate(new ObjectMapper().valueToTree(bad))).as("%s", bad).isNotEmpty();
        }
        assertThat(with.get("required")).hasSize(2);
        assertThat(with.get("properties").get("timeout").get("default").asText()).isEqualTo("3s");
    }

    private static JsonNode withOf(String probe) {
        for (JsonNode each : generated().get("definitions").get("probeCall").get("allOf")) {
            if (each.get("if").get("properties").get("probe").get("const").asText().equals(probe)) {
                return each.get("then").get("properties").get("with");
            }
        }
        throw new AssertionError("no " + probe);
    }

    private static ObjectNode subschema(JsonNode node) {
        ObjectNode s = node.deepCopy();
        s.set("definitions", generated().get("definitions"));
        return s;
    }

    private static boolean converts(ParamType t, Object v) {
        try {
            Param.of("x", t, "").convert(v);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static List<String> names(JsonNode properties) {
        List<String> out = new ArrayList<>();
        properties.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The schema for the test probes and the fixtures' causes, as the fixtures are written against them. */
    private static ObjectNode generated() {
        Map<String, String> causes = new LinkedHashMap<>();
        Fixtures.CAUSES.forEach(c -> causes.put(c, "the " + c + " cause"));
        return PlaybookSchema.of(TestProbes.ALL.stream().map(Probe::spec).toList(), causes);
    }

    private static Schema testSchema() {
        return DRAFT_7.getSchema(generated());
    }

    /**
     * The YAML as JSON the way the loader reads it (keys as text, scalars typed as YAML 1.1 types them); empty when
     * it is not YAML at all. Composed with the YAML reader's default limits, so an alias-heavy file is still read.
     */
    private static Optional<JsonNode> yaml(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file)) {
            var node = new Yaml(new LoaderOptions()).compose(r);
            return Optional.of(new ObjectMapper().valueToTree(new YamlTree(file.toString(), new ArrayList<>()).value(node)));
        } catch (YAMLException e) {
            return Optional.empty();
        }
    }
}
