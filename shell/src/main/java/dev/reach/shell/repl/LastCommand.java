package dev.reach.shell.repl;

import dev.reach.core.report.JsonReport;
import dev.reach.core.report.TextReport;
import dev.reach.shell.command.DiagnosisHeading;
import dev.reach.shell.command.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Shell: {@code last [N] [--json]} shows a result in full: every fact and evidence line, or the JSON report. */
@Command(name = "last", mixinStandardHelpOptions = true,
        description = {"Show the last result in full (every fact and evidence line), or result N from 'history'."},
        footerHeading = "%nExamples:%n",
        footer = {"  last", "  last --json", "  last 2"})
final class LastCommand implements Callable<Integer> {
    private final Session session;

    LastCommand(Session session) {
        this.session = session;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "Which result (see 'history').")
    Integer number;

    @Option(names = "--json", description = "As JSON (schema reach.run/1).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var entries = session.entries();
        if (entries.isEmpty()) {
            out.println("nothing ran yet; run a probe first (Tab lists them)");
            out.flush();
            return ExitCodes.HEALTHY;
        }
        if (number != null && (number < 1 || number > entries.size())) {
            spec.commandLine().getErr().println("reach: no result " + number + "; 'history' lists 1 to " + entries.size());
            return ExitCodes.USAGE;
        }
        var entry = number == null ? entries.getLast() : entries.get(number - 1);
        if (json) {
            new JsonReport().render(entry.result(), out);
            out.println();
        } else {
            new TextReport(session.color(), true, false).withWidth(session.width()).withHeading(DiagnosisHeading.of(entry.result()))
                    .render(entry.result(), out);
        }
        out.flush();
        return ExitCodes.HEALTHY;
    }
}
