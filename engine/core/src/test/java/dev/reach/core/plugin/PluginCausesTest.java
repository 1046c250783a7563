package dev.reach.core.plugin;

import dev.reach.core.Reach;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.playbook.Problem;
import dev.reach.core.run.RunOptions;
import dev.reach.core.verdict.CauseCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A plugin's own cause codes, end to end: playbooks may branch on them and conclude with them. */
class PluginCausesTest {
    @TempDir
    Path dir;

    private Reach reach() {
        TestPlugin.named("acme")
                .probe("acme.GrumpyProbe", "acme.grumpy", "\"grumpy\"")
                .resource(CauseCatalog.PLUGIN_RESOURCE, "acme.grumpy\tB\tthe server says go away\tthe acme server refuses greetings\n"
                        + "tcp.refused\tB\tmine\tnot what the catalogue says\n")
                .jar(dir.resolve("plugins"));
        return Reach.builder().warmScripts(false).pluginDirectory(dir.resolve("plugins")).build();
    }

    @Test
    void aPlaybookConcludesWithAPluginsCodeAndTheVerdictSaysWhatThePluginSays() throws Exception {
        Path file = Files.writeString(dir.resolve("p.yaml"), """
                name: acme
                steps:
                  - id: hello
                    probe: acme.grumpy
                    on: {acme.grumpy: stop, ok: grumpy}
                  - id: grumpy
                    verdict: {cause: acme.grumpy, confidence: likely, evidence: [hello]}
                """);
        try (Reach reach = reach()) {
            var result = reach.run(reach.load(file), Map.of(), RunOptions.defaults());
            assertThat(result.verdict().cause()).isEqualTo("acme.grumpy");
            assertThat(reach.causes().find("acme.grumpy").orElseThrow().says()).isEqualTo("the acme server refuses greetings");
        }
    }

    @Test
    void aPluginCannotRedefineACatalogueCode() {
        try (Reach reach = reach()) {
            assertThat(reach.causes().find("tcp.refused").orElseThrow().section()).isEqualTo("Transport (L4)");
            assertThat(reach.pluginProblems()).singleElement().satisfies(p -> {
                assertThat(p.source()).isEqualTo("acme");
                assertThat(p.message()).isEqualTo("plugin acme declares cause 'tcp.refused', which the catalogue already has; it is left out");
            });
        }
    }

    /** {@code reach plugins} lists what a plugin added: the refused code is a problem, not one of its codes. */
    @Test
    void aRefusedCodeIsNotListedAsOneThePluginAdded() {
        try (Reach reach = reach()) {
            assertThat(reach.plugins()).singleElement().extracting(LoadedPlugin::causeCodes).isEqualTo(List.of("acme.grumpy"));
            assertThat(reach.pluginProblems()).extracting(PluginProblem::message).singleElement().asString()
                    .contains("'tcp.refused'").contains("left out");
        }
    }

    @Test
    void aCodeNoPluginDeclaresIsStillAPlaybookError() throws Exception {
        Path file = Files.writeString(dir.resolve("p.yaml"), """
                name: acme
                steps:
                  - id: grumpy
                    verdict: {cause: acme.sulky, confidence: likely}
                """);
        try (Reach reach = reach()) {
            var e = catchThrowableOfType(PlaybookException.class, () -> reach.load(file));
            assertThat(e.problems()).extracting(Problem::toString).anyMatch(m -> m.contains("acme.sulky"));
        }
    }
}
