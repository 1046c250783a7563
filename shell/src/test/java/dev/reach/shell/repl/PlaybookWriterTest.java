package dev.reach.shell.repl;

import dev.reach.shell.command.HostPort;
import dev.reach.shell.command.Request;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PlaybookWriterTest {
    private static final Instant NOW = Instant.parse("2026-11-25T17:00:00Z");

    @Test
    void probesBecomeStepsNamedAfterTheirActionAndTheTargetBecomesInputs() {
        String yaml = PlaybookWriter.yaml(Path.of("/tmp/db.yaml"), List.of(
                new Request.ProbeRequest("tcp.connect", ordered("host", "127.0.0.1", "port", "5432")),
                new Request.ProbeRequest("tcp.connect", ordered("host", "::1", "port", "22"))), new HostPort("127.0.0.1", "5432"), NOW);
        assertThat(yaml).isEqualTo("""
                # db.yaml — saved from a reach shell session, 2026-11-25 17:00 UTC.
                #
                #   reach run db.yaml
                #   reach run db.yaml --set host=OTHER      # the same checks against another target
                name: "db"
                description: "The checks of a reach shell session, in the order they ran."
                inputs:
                  host: {type: host, default: "127.0.0.1", description: "the session's target host"}
                  port: {type: port, default: "5432", description: "the session's target port"}
                steps:
                  - id: connect
                    probe: tcp.connect
                    with: {host: "${inputs.host}", port: "${inputs.port}"}
                  - id: connect_2
                    probe: tcp.connect
                    with: {host: "::1", port: "22"}
                """);
    }

    private static Map<String, Object> ordered(String... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void aPlaybookRunBecomesAnIncludeRelativeToTheSavedFile() {
        String yaml = PlaybookWriter.yaml(Path.of("/srv/checks/all.yaml"), List.of(
                new Request.PlaybookRequest(Path.of("/srv/checks/sub/connect.yaml"), Map.of("port", "22")),
                new Request.PlaybookRequest(Path.of("/opt/reach/playbooks/connect.yaml"), Map.of())), null, NOW);
        assertThat(yaml).contains("  - id: connect\n    include: \"sub/connect.yaml\"\n    with: {port: \"22\"}\n")
                .contains("  - id: connect_2\n    include: \"/opt/reach/playbooks/connect.yaml\"\n")
                .doesNotContain("inputs:");
    }

    @Test
    void stepIdsAreValidAndQuotesEscape() {
        assertThat(PlaybookWriter.stepId("dns.resolve")).isEqualTo("resolve");
        assertThat(PlaybookWriter.stepId("my-Check")).isEqualTo("my_check");
        assertThat(PlaybookWriter.stepId("2fa")).isEqualTo("step_2fa");
        assertThat(PlaybookWriter.stepIds(List.of(new Request.ProbeRequest("x.next", Map.of())))).containsExactly("next_2");
        assertThat(PlaybookWriter.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    }

    @Test
    void aSecretParameterBecomesASecretInputAndItsValueIsNotWritten() {
        String yaml = PlaybookWriter.yaml(Path.of("/tmp/cache.yaml"), List.of(
                new Request.ProbeRequest("redis.ping", ordered("host", "127.0.0.1", "password", "s3cret"))), null, NOW, Set.of("password"));
        assertThat(yaml).doesNotContain("s3cret")
                .contains("#   (give --set password=... on each run: the session's value is not saved)\n")
                .contains("  password: {type: string, required: true, secret: true, description: \"a secret the session used; not saved\"}\n")
                .contains("    with: {host: \"127.0.0.1\", password: \"${inputs.password}\"}\n");
    }

    @Test
    void anInstalledPlaybookIsIncludedByNameOneBesideTheFileRelativeAnyOtherAbsolute(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        String before = System.getProperty("reach.home");
        System.setProperty("reach.home", tmp.resolve("home").toString());
        try {
            Path saveDir = tmp.resolve("work");
            assertThat(PlaybookWriter.includePath(tmp.resolve("home/playbooks/unreachable.yaml"), saveDir)).isEqualTo("unreachable.yaml");
            assertThat(PlaybookWriter.includePath(saveDir.resolve("mine/check.yaml"), saveDir)).isEqualTo("mine/check.yaml");
            assertThat(PlaybookWriter.includePath(tmp.resolve("elsewhere/x.yaml"), saveDir)).isEqualTo(tmp.resolve("elsewhere/x.yaml").toString());
            assertThat(PlaybookWriter.includePath(tmp.resolve("home/playbooks/deeper/x.yaml"), saveDir))
                    .as("only the installed folder itself is looked up by name").isEqualTo(tmp.resolve("home/playbooks/deeper/x.yaml").toString());
        } finally {
            if (before == null) System.clearProperty("reach.home");
            else System.setProperty("reach.home", before);
        }
    }
}
