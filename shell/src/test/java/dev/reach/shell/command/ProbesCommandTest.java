package dev.reach.shell.command;

import dev.reach.spi.Needs;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProbesCommandTest {

    @Test
    void theMarkdownTableHasARowAProbeFromItsAboutOrSummaryWithPipesEscaped() {
        ProbeSpec plain = ProbeSpec.builder("demo.say", "Says hello").build();
        ProbeSpec full = ProbeSpec.builder("demo.pipe", "Pipes").about("Reads `a|b` and says so.")
                .needs(Needs.root("CAP_NET_RAW").withNote("else the ping command")).build();
        assertThat(ProbesCommand.markdown(List.of(plain, full))).isEqualTo("""
                | id | what it does | needs |
                |---|---|---|
                | `demo.say` | Says hello. | nothing |
                | `demo.pipe` | Reads `a\\|b` and says so. | root or CAP_NET_RAW (else the ping command) |
                """);
    }

    @Test
    void wrapsAtWordsAndGivesALongWordALineOfItsOwn() {
        assertThat(dev.reach.core.report.TextReport.wrap("one two three four", 9)).containsExactly("one two", "three", "four");
        assertThat(dev.reach.core.report.TextReport.wrap("a https://example.invalid/very/long b", 10)).containsExactly("a", "https://example.invalid/very/long", "b");
    }
}
