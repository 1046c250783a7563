package dev.reach.core.run;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeInvokerTest {
    private static final ProbeSpec SPEC = ProbeSpec.builder("demo.ask", "Asks")
            .param(Param.choice("proto", "transport", "udp", "tcp").defaultValue("udp"))
            .param(Param.bool("tcp", "over TCP").deprecated("proto=tcp"))
            .build();

    @Test
    void aDeprecatedParameterStillBindsAndTheRunSaysWhatToWriteInstead() {
        var binding = ParamBinder.bind(SPEC, Map.of("tcp", "true"));
        assertThat(binding.errors()).isEmpty();
        Observation o = ProbeInvoker.deprecations(SPEC, binding.params(), Observation.ok("asked").evidence("asked once").build());
        assertThat(o.evidence()).containsExactly("asked once",
                "parameter tcp= is deprecated: write proto=tcp (the old name works until the next release)");
        assertThat(o.summary()).isEqualTo("asked");
    }

    @Test
    void withoutItNothingIsAddedAndHelpShowsOnlyTheNewName() {
        var binding = ParamBinder.bind(SPEC, Map.of("proto", "tcp"));
        Observation ok = Observation.ok("asked").build();
        assertThat(ProbeInvoker.deprecations(SPEC, binding.params(), ok)).isSameAs(ok);
        assertThat(SPEC.shownParams()).extracting(Param::name).containsExactly("proto");
        assertThat(SPEC.param("tcp").orElseThrow().deprecation()).contains("proto=tcp");
    }
}
