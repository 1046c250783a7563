package dev.reach.core.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a hostile server sends (a banner, a header, a certificate field, a DNS answer) goes through every renderer
 * for people without acting on the terminal: every C0 control, DEL, every C1 control, OSC title and clipboard
 * sequences, a clear screen and a line break before a fake coloured verdict.
 */
class HostileTextTest {
    /** Every control character a terminal may act on, then the sequences an attacker would use. */
    static final String HOSTILE = controls() + " title\u001b]0;pwned\u0007 clip\u001b]52;c;ZXZpbA==\u0007 clear\u001b[2J\u001bc"
            + " csi\u009b31m\r\n\u001b[32mVerdict: ok\u001b[0m\n\u2028bidi\u202e";

    private static String controls() {
        var sb = new StringBuilder();
        for (int c = 0; c < 0x20; c++) sb.append((char) c).append('.');
        sb.append('\u007f').append('.');
        for (int c = 0x80; c <= 0x9f; c++) sb.append((char) c).append('.');
        return sb.toString();
    }

    /** A probe whose every text field, fact and evidence line holds the hostile text, and a verdict that quotes it. */
    static RunResult hostileRun(boolean single) {
        var banner = new StepResult(single ? "tcp.banner" : "banner\u001b[2J", "probe", "tcp.banner", Map.of("host", "127.0.0.1"),
                Observation.fail("banner.mismatch", "127.0.0.1:7 said " + HOSTILE)
                        .fact("banner", HOSTILE).fact("headers", Map.of("Server", HOSTILE)).fact("lines", List.of(HOSTILE, "two"))
                        .fact("key\u001b[2J", "value")
                        .evidence("read " + HOSTILE).evidence("\t" + HOSTILE).build(),
                single ? "" : "goto " + HOSTILE, List.of());
        var verdict = new Verdict("banner.mismatch", Confidence.LIKELY, "the server said " + HOSTILE, "ask " + HOSTILE,
                List.of("banner: " + HOSTILE, "  " + HOSTILE), List.of(banner.id()), false);
        return new RunResult(single ? "probe tcp.banner" : "hostile\u001b]0;x\u0007", "",
                Map.of("host", "127.0.0.1", "send", HOSTILE), List.of(banner), verdict, SampleRuns.STARTED,
                SampleRuns.micros(1_000), false);
    }

    /** A control character other than a line feed, and other than an SGR code of the report's own when {@code sgr}. */
    private static void assertNoRawControl(String out, boolean sgr) {
        String rest = sgr ? out.replaceAll("\u001b\\[[0-9;]*m", "") : out;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            boolean control = c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x202e;
            assertThat(control).as("U+%04X at %d in:%n%s", (int) c, i, out).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {40, 60, 80, 132, 400})
    void textReportShowsEveryControlVisiblyAtEveryWidth(int width) {
        for (boolean single : new boolean[]{true, false}) {
            for (boolean verbose : new boolean[]{true, false}) {
                for (boolean color : new boolean[]{true, false}) {
                    String out = new TextReport(color, verbose, false).withWidth(width).render(hostileRun(single));
                    assertNoRawControl(out, color);
                    assertThat(out).contains("\\x1b]0;pwned\\x07").contains("\\x1b]52;c;ZXZpbA==\\x07")
                            .contains("\\x9b31m").contains("\\x7f").contains("\\u202e");
                    // the server's line break does not start a line of its own: the only verdict line is the report's
                    assertThat(out.lines().map(l -> l.replaceAll("\u001b\\[[0-9;]*m", "").strip()))
                            .filteredOn(l -> l.startsWith("Verdict")).containsExactly("Verdict: banner.mismatch (likely)");
                    if (!color) {
                        assertThat(out).doesNotContain("\u001b");
                    }
                }
            }
        }
    }

    @Test
    void junitReportIsWellFormedAndHoldsNoControl() throws Exception {
        String xml = new JunitReport().render(hostileRun(false));
        assertNoRawControl(xml, false);
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        String failure = doc.getElementsByTagName("failure").item(0).getTextContent();
        assertThat(failure).contains("\\x1b]0;pwned\\x07");
        assertNoRawControl(failure, false);
    }

    @Test
    void jsonEscapesEveryControlAndReadsBackTheSameText() throws Exception {
        String json = new JsonReport().render(hostileRun(true));
        assertNoRawControl(json, false);
        var tree = new ObjectMapper().readTree(json);
        assertThat(tree.get("steps").get(0).get("facts").get("banner").asText()).isEqualTo(HOSTILE);
    }

    @Test
    void visibleSaysWhatEachControlWas() {
        assertThat(Visible.text("a\u001b[2Jb\u0007\u007f\u0085\tc\r\nd\u202e")).isEqualTo("a\\x1b[2Jb\\x07\\x7f\\x85 c  d\\u202e");
        assertThat(Visible.text("plain ✔ text")).isEqualTo("plain ✔ text");
        assertThat(Pattern.compile("\\p{Cc}").matcher(Visible.text(HOSTILE)).find()).isFalse();
    }
}
