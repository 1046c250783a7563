package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JunitReportTest {
    private final JunitReport junit = new JunitReport();

    @Test
    void markupStaysWellFormedAndControlCharactersAreShownVisibly() throws Exception {
        var step = SampleRuns.probe("banner", "tcp.banner", Map.of(),
                Observation.fail("tcp.reset", "got <b>\"reset\"</b> & 'closed'\u0000\u001b[0m")
                        .evidence("line ]]> with\ttab").evidence("bell\u0007 and \uD83D\uDE00").build());
        RunResult refused = SampleRuns.refusedProbe();
        var run = new RunResult("probe tcp.banner", "", Map.of(), List.of(step), refused.verdict(), refused.started(),
                refused.duration(), false);

        Element failure = (Element) parse(junit.render(run)).getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("got <b>\"reset\"</b> & 'closed'\\x00\\x1b[0m");
        assertThat(failure.getAttribute("type")).isEqualTo("tcp.reset");
        assertThat(failure.getTextContent()).isEqualTo("line ]]> with tab\nbell\\x07 and \uD83D\uDE00");
    }

    @Test
    void verdictTestcaseFailsExactlyWhenTheRunIsUnhealthy() throws Exception {
        Document healthy = parse(junit.render(SampleRuns.healthyProbe()));
        assertThat(healthy.getDocumentElement().getAttribute("failures")).isEqualTo("0");
        assertThat(healthy.getElementsByTagName("failure").getLength()).isZero();

        Document refused = parse(junit.render(SampleRuns.refusedProbe()));
        Element verdict = (Element) refused.getElementsByTagName("testcase").item(1);
        assertThat(verdict.getAttribute("name")).isEqualTo("verdict");
        assertThat(((Element) verdict.getElementsByTagName("failure").item(0)).getAttribute("message"))
                .startsWith("tcp.refused: Nothing accepts connections on 127.0.0.1:5432");
    }

    @Test
    void groupIsReplacedByItsChildrenAndCountsAddUp() throws Exception {
        Element suite = parse(junit.render(SampleRuns.playbook())).getDocumentElement();
        var names = new java.util.ArrayList<String>();
        var cases = suite.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) names.add(((Element) cases.item(i)).getAttribute("name"));
        assertThat(names).containsExactly("resolve (dns.resolve)", "ping (icmp.echo)", "trace (net.trace)",
                "ports[0] (tcp.connect)", "ports[1] (tcp.connect)", "verdict");
        assertThat(List.of("tests", "failures", "errors", "skipped")).map(suite::getAttribute)
                .containsExactly("6", "2", "1", "1");
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
