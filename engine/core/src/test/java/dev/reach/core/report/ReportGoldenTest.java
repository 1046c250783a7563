package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

/**
 * Every renderer against the files in {@code src/test/resources/golden/}. After an intended change to the
 * output, rerun with {@code -Dgolden.update=true} and review the diff of those files.
 */
class ReportGoldenTest {
    private static final TextReport TEXT = TextReport.plain();

    @Test
    void healthyProbeRendersItsLineAndFactsWithoutAVerdict() {
        String text = renderAll("healthy-probe", SampleRuns.healthyProbe());
        assertThat(text).startsWith("✔ tcp.connect").contains("connect_ms: 0.18").doesNotContain("Verdict:");
    }

    @Test
    void refusedProbeRendersVerdictLast() {
        String text = renderAll("refused-probe", SampleRuns.refusedProbe());
        assertThat(text).startsWith("✘ tcp.connect");
        assertThat(text.indexOf("Verdict: tcp.refused (certain)")).isGreaterThan(text.indexOf("> connect 127.0.0.1:5432"));
        assertThat(text.lines().toList().getLast()).startsWith("Took ");
    }

    @Test
    void playbookRendersBranchChildrenSkipsErrorsAndConcludedVerdict() throws IOException {
        RunResult run = SampleRuns.playbook();
        String text = renderAll("playbook", run);
        Golden.check("playbook.verbose.txt", TEXT.withVerbose(true).render(run));
        assertThat(text).contains("  ✘ ports[0]", "    → goto refused (on tcp.refused)", "– trace", "⚠ ping");
    }

    @Test
    void raceShowsTheBranchesCutShortAndWhatDecided() throws IOException {
        RunResult run = SampleRuns.raced();
        String text = renderAll("raced", run);
        String verbose = TEXT.withVerbose(true).render(run);
        Golden.check("raced.verbose.txt", verbose);
        assertThat(verbose).as("the condition is for the playbook's author").contains("(until: steps.arp?.facts.outcome");
        assertThat(text).doesNotContain("(until:").contains("  – connect    tcp.connect  cut short after 230ms: the evidence had decided\n",
                "    > until held when 'arp' finished; cut short: connect, ping");
    }

    /** Renders with every renderer, checks each against its golden file (reporting every mismatch), and returns the plain text. */
    private static String renderAll(String name, RunResult run) {
        String text = TEXT.render(run);
        assertAll(name,
                () -> Golden.check(name + ".txt", text),
                () -> Golden.check(name + ".ascii.txt", TEXT.withAscii(true).render(run)),
                () -> Golden.check(name + ".json", new JsonReport().render(run)),
                () -> Golden.check(name + ".junit.xml", new JunitReport().render(run)));
        return text;
    }
}
