package dev.reach.core;

import dev.reach.core.report.JsonReport;
import dev.reach.core.run.RunEvent;
import dev.reach.core.run.RunOptions;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** A secret parameter reaches its probe and nothing else: not the result, the events, the reports. */
class SecretParamTest {
    static final String PASSWORD = "s3cret-hunter2";

    /** Says whether it was given the password, never what it is. */
    static final Probe AUTH = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.auth", "Logs in")
                .param(Param.string("user", "who").defaultValue("app"))
                .param(Param.string("password", "the password").secret()).build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) {
            return Observation.ok(PASSWORD.equals(p.string("password")) ? "got the password" : "got something else").build();
        }
    };

    @TempDir
    Path dir;

    @Test
    void aProbeRunShowsTheSecretAsHiddenEverywhere() throws Exception {
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        try (Reach reach = Reach.builder().warmScripts(false).probe(AUTH).build()) {
            var result = reach.probe("test.auth", Map.of("password", PASSWORD), RunOptions.defaults().withListener(events::add));
            assertThat(result.steps().getFirst().observation().summary()).isEqualTo("got the password");
            assertThat(result.inputs()).containsEntry("password", ProbeSpec.HIDDEN).containsEntry("user", "app");
            assertThat(result.steps().getFirst().params()).containsEntry("password", ProbeSpec.HIDDEN);
            assertThat(new JsonReport().render(result)).doesNotContain(PASSWORD).contains(ProbeSpec.HIDDEN);
            assertThat(events.toString()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void aPlaybookStepShowsTheSecretAsHidden() throws Exception {
        Path file = dir.resolve("login.yaml");
        Files.writeString(file, """
                name: login
                inputs:
                  password: {type: string, secret: true}
                steps:
                  - id: login
                    probe: test.auth
                    with: {password: "${inputs.password}"}
                """);
        try (Reach reach = Reach.builder().warmScripts(false).probe(AUTH).build()) {
            var result = reach.run(reach.load(file), Map.of("password", PASSWORD), RunOptions.defaults());
            var step = result.steps().getFirst();
            assertThat(step.observation().summary()).isEqualTo("got the password");
            assertThat(step.params()).containsEntry("password", ProbeSpec.HIDDEN);
            assertThat(result.inputs()).containsEntry("password", ProbeSpec.HIDDEN);
            assertThat(new JsonReport().render(result)).doesNotContain(PASSWORD);
        }
    }

    @Test
    void secretSurvivesTheOtherBuilderCallsInAnyOrder() {
        assertThat(Param.integer("pin", "a pin").secret().defaultValue(1234).range(0, 9999).isSecret()).isTrue();
        assertThat(Param.string("token", "a token").secret().required().isSecret()).isTrue();
        assertThat(Param.string("user", "who").defaultValue("app").isSecret()).isFalse();
    }

    @Test
    void specsWithoutSecretsShowTheirValuesAsGiven() {
        Map<String, Object> values = Map.of("user", "app");
        assertThat(AUTH.spec().shown(values)).isEqualTo(values);
        assertThat(ProbeSpec.builder("test.plain", "Plain").param(Param.string("user", "who")).build().shown(values)).isSameAs(values);
    }

}
