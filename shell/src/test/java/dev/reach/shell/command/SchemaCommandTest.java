package dev.reach.shell.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reach.shell.Main;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reach schema playbook}: the engine's playbook schema on standard output; any other kind is a usage error. */
class SchemaCommandTest {
    /** What {@code reach schema KIND} did: its exit code and what it printed. */
    private record Schema(int exit, String out, String err) {
        static Schema of(String kind) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = Main.tree().run(new HeadlessWorkbench(), new PrintWriter(out, true), new PrintWriter(err, true), "schema", kind);
            return new Schema(exit, out.toString(), err.toString());
        }
    }

    @Test
    void playbookPrintsTheDraft07SchemaOfPlaybooks() throws Exception {
        Schema playbook = Schema.of("playbook");
        assertThat(playbook.exit()).isZero();
        JsonNode schema = new ObjectMapper().readTree(playbook.out());
        assertThat(schema.get("$schema").asText()).isEqualTo("http://json-schema.org/draft-07/schema#");
        assertThat(schema.get("definitions").has("step.probe")).isTrue();
        assertThat(playbook.out()).endsWith("}\n");
        assertThat(playbook.err()).isEmpty();
    }

    @Test
    void anUnknownKindExitsTwoAndSaysTheAllowedOnes() {
        Schema nope = Schema.of("nope");
        assertThat(nope.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(nope.err()).contains("unknown schema kind 'nope'").contains("(allowed: playbook)");
        assertThat(nope.out()).isEmpty();
        assertThat(Schema.of("playbok").err()).contains("did you mean 'playbook'?");
    }
}
