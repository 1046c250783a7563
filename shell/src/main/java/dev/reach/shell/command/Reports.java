package dev.reach.shell.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.reach.core.report.JsonReport;
import dev.reach.core.report.NagiosReport;
import dev.reach.core.report.PrometheusReport;
import dev.reach.core.report.JunitReport;
import dev.reach.core.report.TextReport;
import dev.reach.core.report.Visible;
import dev.reach.core.run.RunResult;
import dev.reach.shell.term.OutputMode;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Prints a run's result the way the options ask and gives the exit code. */
public final class Reports {
    private Reports() {
    }

    /** {@code value} as indented JSON: what {@code --json} prints for a listing ({@code probes}, {@code plugins}, {@code causes}). */
    public static String json(Object value) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }

    /** The report in colour and at the width of {@code mode}; a diagnosis says what it diagnoses first. */
    public static int print(RunResult result, OutputOptions output, CommonOptions common, OutputMode mode, PrintWriter out,
                     boolean interrupted) throws IOException {
        if (output.junit != null) {
            writeJunit(result, output.junit);
        }
        switch (output.format()) {
            case JSON -> {
                new JsonReport().render(result, out);
                out.println();
                out.flush();
                return interrupted ? ExitCodes.INTERRUPTED : result.exitCode();
            }
            case NAGIOS -> {
                out.println(new NagiosReport().render(result));
                out.flush();
                return interrupted ? NagiosReport.State.UNKNOWN.exitCode() : NagiosReport.state(result).exitCode();
            }
            case PROMETHEUS -> {
                new PrometheusReport().render(result, out);
                out.flush();
                return interrupted ? ExitCodes.INTERRUPTED : result.exitCode();
            }
            case TEXT -> {
            }
        }
        if (output.quiet) {
            var v = result.verdict();
            out.println(Visible.text(v.cause() + " (" + v.confidence().label() + "): " + v.summary()));
        } else {
            new TextReport(mode.color(), common.verbose, false).withWidth(mode.width())
                    .withHeading(DiagnosisHeading.of(result)).render(result, out);
        }
        out.flush();
        return interrupted ? ExitCodes.INTERRUPTED : result.exitCode();
    }

    /** Writes next to the target and renames, so a half-written report never replaces a whole one. */
    private static void writeJunit(RunResult result, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), ".reach-junit", ".xml");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            new JunitReport().render(result, w);
        }
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
