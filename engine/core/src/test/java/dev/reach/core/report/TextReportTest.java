package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TextReportTest {
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";

    @Test
    void colourPaintsFaultRedHealthyGreenAndWarningYellow() {
        TextReport colour = TextReport.plain().withColor(true);
        assertThat(colour.render(SampleRuns.playbook())).contains("\u001b[1m" + RED + "Verdict: tcp.refused (certain)");
        assertThat(colour.render(asPlaybook(SampleRuns.healthyProbe()))).contains(GREEN + "Verdict: ok (certain)");
        assertThat(colour.render(expiringCertificate())).contains(YELLOW + "Verdict: tls.expiring (certain)")
                .contains(YELLOW + "!" + "\u001b[0m");
    }

    @Test
    void stepsNotTakenBecauseTheirConditionWasFalseShowOnlyWhenVerbose() {
        RunResult base = SampleRuns.playbook();
        var notTaken = new dev.reach.core.run.StepResult("no_route", "verdict", "", java.util.Map.of(),
                dev.reach.spi.Observation.skipped(dev.reach.core.run.StepResult.CONDITION_FALSE + "steps.route.facts.outcome == 'none'").build(),
                "", java.util.List.of());
        var steps = new java.util.ArrayList<>(base.steps());
        steps.add(1, notTaken);
        RunResult run = new RunResult(base.playbook(), base.source(), base.inputs(), steps, base.verdict(), base.started(),
                base.duration(), base.cancelled());
        assertThat(TextReport.plain().render(run)).doesNotContain("no_route")
                .contains("(1 step not taken: their conditions were false; --verbose shows them)")
                .contains("– trace"); // skipped for unmet needs: always shown
        assertThat(TextReport.plain().withVerbose(true).render(run)).contains("no_route").doesNotContain("not taken");
    }

    @Test
    void withoutColourThereAreNoEscapes() {
        assertThat(TextReport.plain().render(SampleRuns.playbook())).doesNotContain("\u001b");
    }

    @Test
    void failedStepShowsEvidenceWithoutVerboseButAnOkStepDoesNot() {
        String text = TextReport.plain().render(SampleRuns.playbook());
        assertThat(text).contains("> connect 198.18.0.5:5432 -> Connection refused (RST)")
                .doesNotContain("> connect 198.18.0.5:6432").doesNotContain("connect_ms:");
        assertThat(TextReport.plain().withVerbose(true).render(SampleRuns.playbook()))
                .contains("> connect 198.18.0.5:6432 -> established", "connect_ms: 0.47", "[tcp.refused]");
    }

    @Test
    void everyLineEndsByTheWidthAskedForAndEightyByDefault() {
        assertThat(TextReport.plain().width()).isEqualTo(80);
        for (int width : new int[] {60, 80, 100}) {
            String text = TextReport.plain().withWidth(width).render(SampleRuns.playbook());
            assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(width));
        }
        assertThat(TextReport.plain().render(SampleRuns.playbook())).contains("\nFix: on db01.example.net,");
    }

    @Test
    void asciiOutputHasOnlyAsciiCharacters() {
        String text = TextReport.plain().withAscii(true).withVerbose(true).render(SampleRuns.playbook());
        assertThat(text.chars()).allMatch(c -> c < 128);
        assertThat(text).contains("-> goto refused", "\nE ping", "\n- trace", "\n  x ports[0]");
    }

    @Test
    void cancelledRunSaysSo() {
        RunResult run = SampleRuns.playbook();
        var cancelled = new RunResult(run.playbook(), run.source(), run.inputs(), run.steps(), run.verdict(),
                run.started(), run.duration(), true);
        assertThat(TextReport.plain().render(cancelled)).endsWith("Took 1.4s, cancelled before the end\n");
    }

    private static RunResult asPlaybook(RunResult probe) {
        return new RunResult("check-ssh", "", probe.inputs(), probe.steps(), probe.verdict(), probe.started(),
                probe.duration(), false);
    }

    private static RunResult expiringCertificate() {
        var tls = SampleRuns.probe("cert", "tls.handshake", Map.of("host", "example.net", "port", 443),
                Observation.warn("tls.expiring", "certificate for example.net expires in 9 days").build());
        var verdict = new Verdict("tls.expiring", Confidence.CERTAIN, "The certificate expires in 9 days.",
                "renew it", List.of(), List.of("cert"), false);
        return new RunResult("check-tls", "", Map.of(), List.of(tls), verdict, SampleRuns.STARTED,
                SampleRuns.micros(900), false);
    }
}
