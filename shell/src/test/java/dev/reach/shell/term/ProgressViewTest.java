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
}
