package dev.reach.plugins.host;

import dev.reach.plugins.host.LogLines.Scan;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class LogsScanProbeTest {
    private static final List<Pattern> KNOWN = LogsScanProbe.KNOWN.keySet().stream().map(Pattern::compile).toList();

    @Test
    void syslogLinesAreCountedPerPatternInsideTheWindow() {
        Instant nineFive = LocalDateTime.parse(java.time.Year.now(ZoneOffset.UTC) + "-11-25T09:00:02").toInstant(ZoneOffset.UTC);
        Scan s = LogLines.scan(Samples.read("syslog-sample.log").lines().toList(), KNOWN, nineFive, ZoneOffset.UTC, 10);
        assertThat(s.counts()).containsEntry("nf_conntrack: table full", 1).containsEntry("(?i)connection refused", 2)
                .containsEntry("(?i)possible SYN flooding", 1).containsEntry("(?i)link is down|carrier lost|NIC Link is Down", 1);
        assertThat(s.quoted()).first().asString().startsWith("Nov 25 09:00:02 gw kernel: nf_conntrack");
        assertThat(s.timed()).isTrue();
    }

    @Test
    void isoAndSpaceSeparatedTimestampsAreRead() {
        assertThat(LogLines.time("2026-11-25T09:30:00+0000 web1 x", ZoneOffset.UTC)).contains(Instant.parse("2026-11-25T09:30:00Z"));
        assertThat(LogLines.time("2026-11-25 09:31:00,123 ERROR", ZoneOffset.UTC)).contains(Instant.parse("2026-11-25T09:31:00Z"));
        assertThat(LogLines.time("2026-11-25T10:00:00+01:00 x", ZoneOffset.UTC)).contains(Instant.parse("2026-11-25T09:00:00Z"));
        assertThat(LogLines.time("garbage line", ZoneOffset.UTC)).isEmpty();
        assertThat(LogLines.time("2026-13-45T99:00:00Z bad date", ZoneOffset.UTC)).isEmpty();
    }

    @Test
    void mostFrequentKnownMessageNamesTheCause() {
        Scan s = LogLines.scan(Samples.read("iso-sample.log").lines().toList(), KNOWN, Instant.parse("2026-11-25T09:15:00Z"), ZoneOffset.UTC, 10);
        assertThat(s.total()).isEqualTo(3);
        var c = LogsScanProbe.classify(s, Duration.ofHours(1));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("resources.pressure"); // one line each: a tie goes to the first known message (OOM)
        var conntrack = LogsScanProbe.classify(LogLines.scan(Samples.read("syslog-sample.log").lines().toList(), KNOWN,
                Instant.EPOCH, ZoneOffset.UTC, 10), Duration.ofHours(1));
        assertThat(conntrack.cause()).isEqualTo("conntrack.full"); // 2 table-full lines outweigh the rest; refused names no cause
    }

    @Test
    void noMatchIsOk() {
        var c = LogsScanProbe.classify(LogLines.scan(List.of("all fine"), KNOWN, Instant.EPOCH, ZoneOffset.UTC, 10), Duration.ofMinutes(5));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("no line matches in the last 5m (1 lines searched)");
    }

    @Test
    void aRealFileIsSearchedOnlyInsideTheWindow(@TempDir Path dir) throws IOException {
        DateTimeFormatter syslog = DateTimeFormatter.ofPattern("MMM d HH:mm:ss", Locale.ENGLISH);
        LocalDateTime now = LocalDateTime.now();
        Path log = dir.resolve("syslog");
        Files.writeString(log, String.join("\n",
                now.minusHours(3).format(syslog) + " gw kernel: nf_conntrack: table full, dropping packet",
                now.minusMinutes(5).format(syslog) + " gw app: accept failed: Too many open files",
                now.minusMinutes(4).format(syslog) + " gw app: accept failed: Too many open files") + "\n");
        Observation o = ProbeHarness.run(new LogsScanProbe(), "file=" + log, "since=30m");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.WARN);
        assertThat(o.cause()).contains("fd.exhausted");
        assertThat(o.facts()).containsEntry("matches", 2).containsEntry("source", log.toString());
        assertThat(o.evidence()).hasSize(2).allMatch(l -> l.contains("Too many open files"));
    }

    @Test
    void ownPatternsAndBadRegexes(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "no time here: upstream timed out\nanother line\n");
        Observation o = ProbeHarness.run(new LogsScanProbe(), "file=" + log, "pattern=timed out");
        assertThat(o.facts()).containsEntry("matches", 1);
        assertThat(o.evidence()).first().asString().contains("no timestamp");
        Observation bad = ProbeHarness.run(new LogsScanProbe(), "file=" + log, "pattern=(unclosed");
        assertThat(bad.status()).isEqualTo(Status.ERROR);
        assertThat(bad.summary()).startsWith("pattern is not a regular expression");
        Observation missing = ProbeHarness.run(new LogsScanProbe(), "file=" + dir.resolve("nope.log"));
        assertThat(missing.status()).isEqualTo(Status.ERROR);
    }

    /**
     * ((a+)+)+c on a line of 40 a's backtracks for longer than anyone waits, and java.util.regex has no timeout: the match
     * reads the line through a text that gives up at the step's deadline, so the step ends then and no thread spins on.
     */
    @Test
    void aBacktrackingPatternStopsAtTheStepsDeadlineAndLeavesNoThreadSpinning(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "a".repeat(40) + "\n");
        long t0 = System.nanoTime();
        Observation o = ProbeHarness.run(new LogsScanProbe(), Duration.ofMillis(500), "file=" + log, "pattern=((a+)+)+c");
        long took = (System.nanoTime() - t0) / 1_000_000;

        assertThat(o.status()).as(o.toString()).isEqualTo(Status.ERROR);
        assertThat(o.summary()).startsWith("the search did not finish in the step's time");
        assertThat(took).as("ms").isLessThan(1500);
        for (int i = 0; i < 40 && spinning(); i++) {
            Thread.sleep(25);
        }
        assertThat(spinning()).as("a probe-logs.scan thread still runs").isFalse();
    }

    private static boolean spinning() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("probe-logs.scan") && t.isAlive());
    }
}
