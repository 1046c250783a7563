package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run as JUnit XML for CI: one testsuite named after the playbook, one testcase per check (a group's
 * children stand in for the group, named like {@code ports[1]}; verdict steps are left out), and a last
 * testcase {@code verdict} that fails unless the run is healthy, so the suite passes exactly when reach exits 0.
 *
 * <pre>{@code
 * new JunitReport().render(result, Files.newBufferedWriter(Path.of("reach-junit.xml")));
 * }</pre>
 */
public final class JunitReport {
    /** Ant's JUnit timestamp: local date-time without a zone; reach writes UTC. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_LOCAL_DATE_TIME.withZone(ZoneOffset.UTC);

    public String render(RunResult run) {
        var out = new StringWriter();
        try {
            render(run, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringWriter does not fail
        }
        return out.toString();
    }

    public void render(RunResult run, Writer out) throws IOException {
        try {
            XMLStreamWriter xml = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out);
            write(run, xml);
            xml.flush();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write JUnit XML: " + e.getMessage(), e);
        }
    }

    private record Case(String name, StepResult step) {
    }

    private static void write(RunResult run, XMLStreamWriter xml) throws XMLStreamException {
        List<Case> cases = new ArrayList<>();
        leaves(run.steps(), "", cases);
        long failures = cases.stream().filter(c -> c.step().status() == Status.FAIL).count() + (run.healthy() ? 0 : 1);
        long errors = cases.stream().filter(c -> c.step().status() == Status.ERROR).count();
        long skipped = cases.stream().filter(c -> c.step().status() == Status.SKIPPED).count();
        String classname = "reach." + run.playbook().strip().replaceAll("\\s+", ".");

        xml.writeStartDocument("UTF-8", "1.0");
        xml.writeCharacters("\n");
        xml.writeStartElement("testsuite");
        attribute(xml, "name", run.playbook());
        attribute(xml, "tests", String.valueOf(cases.size() + 1));
        attribute(xml, "failures", String.valueOf(failures));
        attribute(xml, "errors", String.valueOf(errors));
        attribute(xml, "skipped", String.valueOf(skipped));
        attribute(xml, "time", seconds(run.duration()));
        attribute(xml, "timestamp", TIMESTAMP.format(run.started().truncatedTo(ChronoUnit.SECONDS)));
        for (Case c : cases) {
            Observation obs = c.step().observation();
            String probe = c.step().probe().isEmpty() || c.step().probe().equals(c.name()) ? "" : " (" + c.step().probe() + ")";
            testcase(xml, classname, c.name() + probe, obs.duration(), obs.status() == Status.OK);
            switch (obs.status()) {
                case FAIL -> outcome(xml, "failure", obs.summary(), obs.cause().orElse("fail"), obs.evidence());
                case ERROR -> outcome(xml, "error", obs.summary(), obs.cause().orElse("error"), obs.evidence());
                case SKIPPED -> {
                    xml.writeCharacters("\n    ");
                    xml.writeEmptyElement("skipped");
                    attribute(xml, "message", obs.summary());
                }
                case WARN -> outcome(xml, "system-out", null, null,
                        List.of("warn" + obs.cause().map(x -> " [" + x + "]").orElse("") + ": " + obs.summary()));
                case OK -> { }
            }
            end(xml, obs.status() != Status.OK);
        }
        testcase(xml, classname, "verdict", run.duration(), run.healthy());
        if (!run.healthy()) {
            Verdict v = run.verdict();
            List<String> text = new ArrayList<>(v.evidence());
            if (!v.fix().isEmpty()) text.add("Fix: " + v.fix());
            outcome(xml, "failure", v.cause() + ": " + v.summary() + (run.cancelled() ? " (cancelled)" : ""), v.cause(), text);
        }
        end(xml, !run.healthy());
        xml.writeCharacters("\n");
        xml.writeEndElement();
        xml.writeCharacters("\n");
        xml.writeEndDocument();
    }

    /** Steps without children, named by their path when a child's id does not already say where it belongs. */
    private static void leaves(List<StepResult> steps, String parent, List<Case> out) {
        for (StepResult s : steps) {
            String name = parent.isEmpty() || s.id().startsWith(parent + "[") ? s.id() : parent + "/" + s.id();
            if (s.kind().equals("verdict")) {
                continue;   // not a check: the last testcase carries the verdict
            }
            if (s.children().isEmpty()) {
                out.add(new Case(name, s));
            } else {
                leaves(s.children(), name, out);
            }
        }
    }

    private static void outcome(XMLStreamWriter xml, String element, String message, String type, List<String> lines)
            throws XMLStreamException {
        xml.writeCharacters("\n    ");
        if (lines.isEmpty()) {
            xml.writeEmptyElement(element);
        } else {
            xml.writeStartElement(element);
        }
        if (message != null) attribute(xml, "message", message);
        if (type != null) attribute(xml, "type", type);
        if (!lines.isEmpty()) {
            xml.writeCharacters(xmlChars(String.join("\n", lines.stream().map(Visible::text).toList())));
            xml.writeEndElement();
        }
    }

    private static void testcase(XMLStreamWriter xml, String classname, String name, Duration time, boolean empty)
            throws XMLStreamException {
        xml.writeCharacters("\n  ");
        if (empty) {
            xml.writeEmptyElement("testcase");
        } else {
            xml.writeStartElement("testcase");
        }
        attribute(xml, "classname", classname);
        attribute(xml, "name", name);
        attribute(xml, "time", seconds(time));
    }

    /** Closes a testcase that has a body; an empty one closed itself. */
    private static void end(XMLStreamWriter xml, boolean hasBody) throws XMLStreamException {
        if (hasBody) {
            xml.writeCharacters("\n  ");
            xml.writeEndElement();
        }
    }

    private static void attribute(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeAttribute(name, text(value).replaceAll("\\s+", " ").strip());
    }

    /** {@code s} {@link Visible} (what a server said must not act on the terminal a CI log is read in), for XML. */
    private static String text(String s) {
        return xmlChars(Visible.text(s));
    }

    /** XML 1.0 cannot carry most control characters even escaped, nor lone surrogates: they become U+FFFD. */
    private static String xmlChars(String s) {
        var sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> sb.appendCodePoint(c == 0x9 || c == 0xA || c == 0xD
                || c >= 0x20 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 && c <= 0x10FFFF ? c : 0xFFFD));
        return sb.toString();
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }
}
