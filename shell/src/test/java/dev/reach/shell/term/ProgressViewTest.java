package dev.reach.shell.term;

import dev.reach.core.run.RunEvent;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** On a terminal, each finished step is a line as it finishes, cut to the width; piped, the quick run stays silent. */
class ProgressViewTest {
    private static RunEvent finished(String id, Observation o) {
        return new RunEvent.StepFinished(new StepResult(id, "probe", "tcp.connect", Map.of(), o, "", List.of()));
    }

    @Test
    void aLiveViewPrintsEachFinishedStepAsItComesCutToTheWidth() {
        StringWriter err = new StringWriter();
        try (ProgressView view = new ProgressView(new PrintWriter(err, true), true, () -> 40, 0)) {
            view.on(finished("connect", Observation.fail("tcp.refused", "127.0.0.1:1 refused the connection: nothing listens").build()));
            view.on(finished("route", Observation.ok("127.0.0.1 is an address of this host").build()));
            view.on(finished("udp", Observation.skipped(StepResult.CONDITION_FALSE + "inputs.proto == 'udp'").build()));
        }
        List<String> lines = err.toString().replace("\r\u001b[2K", "").lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("✘").contains("connect  127.0.0.1:1 refused").endsWith("…").hasSizeLessThan(40);
        assertThat(lines.get(1)).startsWith("✔").contains("route  127.0.0.1 is an addre");
    }

    @Test
    void pipedAQuickRunPrintsNothing() {
        StringWriter err = new StringWriter();
        try (ProgressView view = new ProgressView(new PrintWriter(err, true), false, () -> 80)) {
            view.on(finished("connect", Observation.ok("fine").build()));
        }
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void pipedALongRunPrintsWholePlainLinesButNotTheStepsItsConditionsSkipped() {
        StringWriter err = new StringWriter();
        String summary = "127.0.0.1:1 refused the connection: nothing listens there, or a firewall rejects it with a TCP reset";
        try (ProgressView view = new ProgressView(new PrintWriter(err, true), false, () -> 40, 0)) {
            view.on(finished("connect", Observation.fail("tcp.refused", summary).build()));
            view.on(finished("udp", Observation.skipped(StepResult.CONDITION_FALSE + "inputs.proto == 'udp'").build()));
        }
        assertThat(err.toString().lines()).singleElement().asString()
                .as("a log line: no escape codes, not cut").doesNotContain("\u001b").endsWith("fail     connect: " + summary);
    }

    /** Every control a terminal acts on, an OSC title and clipboard write, a clear screen and a fake verdict line. */
    private static final String HOSTILE;

    static {
        var sb = new StringBuilder();
        for (int c = 0; c < 0x20; c++) sb.append((char) c);
        sb.append('\u007f');
        for (int c = 0x80; c <= 0x9f; c++) sb.append((char) c);
        HOSTILE = sb + "\u001b]0;pwned\u0007\u001b]52;c;ZXZpbA==\u0007\u001b[2J\r\n\u001b[32mVerdict: ok";
    }

    /** The view's own line control ({@code \r ESC[2K}) and line feeds are the only controls left. */
    private static void assertOnlyOwnControls(String out) {
        String rest = out.replace("\r\u001b[2K", "");
        assertThat(rest.chars().filter(c -> c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f).mapToObj(c -> String.format("U+%04X", c)))
                .as(out).isEmpty();
        assertThat(rest).contains("\\x1b]0;pwned\\x07");
    }

    @Test
    void aLiveViewShowsWhatAServerSaidVisiblyNeverRaw() throws Exception {
        StringWriter err = new StringWriter();
        try (ProgressView view = new ProgressView(new PrintWriter(err, true), true, () -> 400, 0)) {
            view.on(new RunEvent.StepStarted("banner", "tcp.banner", Map.of("send", HOSTILE)));
            view.on(new RunEvent.StepProgress("banner", "read " + HOSTILE));
            for (int i = 0; i < 50 && !err.toString().contains("read "); i++) {
                Thread.sleep(20);   // the spinner line is drawn every 100 ms
            }
            view.on(finished("banner", Observation.fail("banner.mismatch", "said " + HOSTILE).build()));
        }
        assertThat(err.toString()).contains("read ").contains("said ");
        assertOnlyOwnControls(err.toString());
    }

    @Test
    void pipedLinesShowWhatAServerSaidVisiblyNeverRaw() throws Exception {
        StringWriter err = new StringWriter();
        try (ProgressView view = new ProgressView(new PrintWriter(err, true), false, () -> 80, 0)) {
            view.on(finished("banner", Observation.fail("banner.mismatch", "said " + HOSTILE).build()));
        }
        assertThat(err.toString()).contains("said ").hasLineCount(1);
        assertOnlyOwnControls(err.toString());
    }
}
