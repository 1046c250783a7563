package dev.reach.plugins.host;

import dev.reach.core.run.ParamBinder;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeSpec;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** Every probe of the plugin: its class is named after its id, and each example in its spec binds. */
class HostSpecsTest {

    static List<Probe> probes() {
        return List.of(new RouteLookupProbe(), new NeighCheckProbe(), new IfaceStatusProbe(), new SocketsListenProbe(),
                new SocketsSummaryProbe(), new FirewallRulesProbe(), new SysctlCheckProbe(), new ServiceStatusProbe(),
                new ResourcesCheckProbe(), new LogsScanProbe());
    }

    @ParameterizedTest
    @MethodSource("probes")
    void classIsTheIdInPascalCaseAndExamplesBind(Probe probe) {
        ProbeSpec spec = probe.spec();
        assertThat(probe.spec()).isSameAs(spec);
        String pascal = Arrays.stream(spec.id().split("\\.")).map(w -> w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1))
                .reduce("", String::concat) + "Probe";
        assertThat(probe.getClass().getSimpleName()).isEqualTo(pascal);
        assertThat(spec.examples()).isNotEmpty();
        assertThat(spec.facts()).isNotEmpty();
        for (String example : spec.examples()) {
            String[] words = example.replace("'", "").split(" (?=[a-z_]+=)");
            assertThat(words[0]).isEqualTo("reach probe " + spec.id());
            var binding = ParamBinder.bind(spec, ProbeHarness.parse(Arrays.copyOfRange(words, 1, words.length)));
            assertThat(binding.errors()).as(example).isEmpty();
        }
    }
}
