package dev.reach.core.playbook;

import dev.reach.spi.Param;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ParamBinderTest {
    private static final ProbeSpec SPEC = ProbeSpec.builder("demo.read", "Reads a file")
            .param(Param.file("ca", "PEM file").defaultValue("/etc/ssl/ca.pem"))
            .param(Param.string("note", "text"))
            .build();

    @Test
    void aRelativeFileIsResolvedAgainstTheWorkingDirectoryAndNothingElseIs() {
        var b = ParamBinder.bind(SPEC, Map.of("ca", "certs/ca.pem", "note", "certs/ca.pem"), Path.of("/home/ops"));
        assertThat(b.errors()).isEmpty();
        assertThat(b.params().string("ca")).isEqualTo("/home/ops/certs/ca.pem");
        assertThat(b.params().string("note")).as("a string is not a path").isEqualTo("certs/ca.pem");
        assertThat(ParamBinder.bind(SPEC, Map.of("ca", "/srv/ca.pem"), Path.of("/home/ops")).params().string("ca"))
                .isEqualTo("/srv/ca.pem");
        assertThat(ParamBinder.bind(SPEC, Map.of(), Path.of("/home/ops")).params().string("ca"))
                .as("a default is the probe's own").isEqualTo("/etc/ssl/ca.pem");
        assertThat(ParamBinder.bind(SPEC, Map.of("ca", "certs/ca.pem")).params().string("ca"))
                .as("no working directory given: this process's own applies").isEqualTo("certs/ca.pem");
    }

    @Test
    void aSecretsBadValueIsNeverRepeatedInTheError() {
        ProbeSpec spec = ProbeSpec.builder("demo.auth", "Logs in").param(Param.integer("pin", "the PIN").secret()).build();
        var b = ParamBinder.bind(spec, Map.of("pin", "hunter2-not-a-number"));
        assertThat(b.errors()).singleElement().satisfies(e -> assertThat(e.message())
                .isEqualTo("bad value for parameter 'pin' of demo.auth: the value given is not a whole number (not shown: it is a secret)")
                .doesNotContain("hunter2"));
    }

    @Test
    void aBlankFileIsAUsageErrorNamingTheParameter() {
        var b = ParamBinder.bind(SPEC, Map.of("ca", " "), Path.of("/home/ops"));
        assertThat(b.errors()).singleElement().satisfies(e ->
                assertThat(e.message()).isEqualTo("bad value for parameter 'ca' of demo.read: ' ' is not a file's path"));
    }
}
