package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The text report at the widths of real terminals, against golden files ({@code golden/*.80.txt}, {@code *.120.txt}):
 * every line ends by the last column unless it is one word too long for any line, and wrapping never breaks a word.
 */
class ReportWidthTest {
    private static final TextReport DIAGNOSIS = TextReport.plain().withHeading(DiagnosisRuns.HEADING);

    @ParameterizedTest
    @ValueSource(ints = {80, 120})
    void aHealthyDiagnosisFitsTheTerminal(int width) throws IOException {
        String text = fits(DiagnosisRuns.healthy(), DIAGNOSIS, width);
        Golden.check("healthy-diagnosis." + width + ".txt", text);
        assertThat(text).startsWith("Diagnosing 127.0.0.1:5432 (tcp) with timeout=5s\n");
    }

    @ParameterizedTest
    @ValueSource(ints = {80, 120})
    void aFaultWithLongEvidenceFitsTheTerminal(int width) throws IOException {
        Golden.check("silent-service." + width + ".txt", fits(DiagnosisRuns.silentService(), DIAGNOSIS, width));
        Golden.check("silent-service.verbose." + width + ".txt", fits(DiagnosisRuns.silentService(), DIAGNOSIS.withVerbose(true), width));
    }

    @Test
    void factsReadAsWordsNotAsJavaRenderings() {
        String text = DIAGNOSIS.withVerbose(true).render(DiagnosisRuns.silentService());
        assertThat(text).contains("states: ESTABLISHED=1", "hosts: address=127.0.0.1; open=22,5432")
                .doesNotContain("{", "=[", "[tcp.no-response, ");
    }

    @Test
    void onlyInputsAwayFromTheirDefaultsAreListedUnlessVerbose() {
        assertThat(TextReport.plain().render(DiagnosisRuns.healthy()).lines().findFirst().orElseThrow())
                .isEqualTo("Running playbook unreachable.yaml with host=127.0.0.1 port=5432 timeout=5s");
        assertThat(DIAGNOSIS.withVerbose(true).withWidth(400).render(DiagnosisRuns.healthy()).lines().findFirst().orElseThrow())
                .isEqualTo("Diagnosing 127.0.0.1:5432 (tcp) with host=127.0.0.1 other_ports=22,80,443 port=5432 proto=tcp "
                        + "resolv_conf=/etc/resolv.conf timeout=5s from playbooks/unreachable.yaml");
    }

    /** The report at {@code width}, checked: no line too long but a single word, and the words of the unwrapped report. */
    static String fits(RunResult run, TextReport report, int width) {
        String text = report.withWidth(width).render(run);
        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length() <= width || !line.strip().contains(" "))
                .as("%d columns or one word: '%s'", width, line).isTrue());
        assertThat(words(text)).as("the words of the report wrapped at %d, against the report unwrapped", width)
                .isEqualTo(words(report.withWidth(100_000).render(run)));
        return text;
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.split("\\s+")).filter(w -> !w.isEmpty()).sorted().toList();
    }
}
