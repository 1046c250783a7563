package dev.reach.core.run;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
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

    /**
     * A probe that ignores the interrupt (test.sleep stubborn=true) keeps its thread after its step gave up: it is counted,
     * by probe id, until its loop ends by itself (here 1.5 s), then the count is back to 0.
     */
    @Test
    void aProbeThatIgnoresTheInterruptIsCountedAsAbandonedUntilItEnds() throws InterruptedException {
        AbandonedThreads abandoned = new AbandonedThreads();
        ProbeInvoker invoker = new ProbeInvoker(HostPrivileges.current(), abandoned);
        var binding = ParamBinder.bind(TestProbes.SLEEP.spec(), Map.of("time", "1500ms", "stubborn", "true"));

        Observation o = invoker.invoke(TestProbes.SLEEP, binding.params(), Duration.ofMillis(200), new Cancellation(), m -> { });

        assertThat(o.summary()).isEqualTo("test.sleep did not finish within 200ms; it was interrupted");
        assertThat(abandoned.list()).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("test.sleep");
            assertThat(e.since()).isBefore(Instant.now().plusMillis(1));
        });
        for (int i = 0; i < 100 && abandoned.count() > 0; i++) {    // it ends about 0.8 s from here
            Thread.sleep(50);
        }
        assertThat(abandoned.list()).isEmpty();
    }

    @Test
    void aProbeThatStopsWhenInterruptedIsNotCounted() throws InterruptedException {
        AbandonedThreads abandoned = new AbandonedThreads();
        ProbeInvoker invoker = new ProbeInvoker(HostPrivileges.current(), abandoned);
        var binding = ParamBinder.bind(TestProbes.SLEEP.spec(), Map.of("time", "10s"));

        invoker.invoke(TestProbes.SLEEP, binding.params(), Duration.ofMillis(100), new Cancellation(), m -> { });

        for (int i = 0; i < 40 && abandoned.count() > 0; i++) {     // interrupted: it ends within a few ms
            Thread.sleep(25);
        }
        assertThat(abandoned.count()).isZero();
    }
}
