package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.run.Cancellation;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.SecretValues;
import dev.reach.core.run.UsageException;
import dev.reach.core.script.JsPlaybooks;
import dev.reach.shell.history.Recorder;
import dev.reach.shell.term.OutputMode;
import dev.reach.shell.term.ProgressView;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;

/** The headless workbench: one engine per process, Ctrl-C cancels (twice exits), progress on stderr. */
public final class HeadlessWorkbench implements Workbench {

    /** {@code reach run FILE --check}: loads and validates, prints every problem, runs nothing. */
    static int check(CommonOptions common, java.nio.file.Path file, PrintWriter out, PrintWriter err) {
        try (Reach reach = common.reach(file.toString().endsWith(".js"))) {
            var pb = reach.load(file);
            String inputs = "inputs: " + (pb.inputs().isEmpty() ? "none" : String.join(", ", pb.inputs().keySet()));
            if (pb.isScript()) {
                var n = JsPlaybooks.names(pb);
                out.println(file + ": ok (a JavaScript playbook: it loads and exports main; " + inputs
                        + "; probes it names: " + listed(n.probes()) + "; causes: " + listed(n.causes()) + "; includes: "
                        + listed(n.includes()) + "; names it computes are checked when it calls them)");
            } else {
                out.println(file + ": ok (" + pb.steps().size() + (pb.steps().size() == 1 ? " step, " : " steps, ") + inputs + ")");
            }
            return ExitCodes.HEALTHY;
        } catch (PlaybookException e) {
            e.problems().forEach(p -> err.println(p.toString()));
            err.println("reach: the playbook has " + e.problems().size() + " problem(s)");
            return ExitCodes.USAGE;
        }
    }

    private static String listed(java.util.Collection<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    @Override
    public <T> T withReach(CommonOptions common, ReachUse<T> use) throws Exception {
        try (Reach reach = common.reach(false)) {
            return use.apply(reach);
        }
    }

    @Override
    public int execute(Request request, CommonOptions common, OutputOptions output, PrintWriter out, PrintWriter err) throws Exception {
        if (!junitDirectoryExists(output, err)) {
            return ExitCodes.USAGE;
        }
        Cancellation cancel = new Cancellation();
        OutputMode mode = outputMode(common.noColor);   // before the engine: a terminal's width is asked meanwhile
        try (Reach reach = common.setup(request.scripted()).build(request.onlyProbe()); Interrupts ignored = Interrupts.on(cancel);
             Recorder history = Recorder.fromEnvironment(output.noHistory, "cli", System::getenv)) {
            return runAndReport(reach, request, common, output, mode, cancel, null, history, out, err);
        }
    }

    /**
     * Runs the request on this engine with progress on {@code err} and prints its report to {@code out};
     * {@code cancel} stops it, and the report then says so; relative {@code file} values are resolved against
     * {@code workingDirectory} (null: this process's). The verdict gains what {@code history} knows of the target, and
     * the run is recorded there after its report is out. The headless run and the resident reach share it.
     */
    public static int runAndReport(Reach reach, Request request, CommonOptions common, OutputOptions output, OutputMode t,
                            Cancellation cancel, java.nio.file.Path workingDirectory, Recorder history, PrintWriter out,
                            PrintWriter err) throws Exception {
        warnAboutPlugins(reach, common, err);
        try (ProgressView progress = new ProgressView(err, t.interactive() && !output.quiet, t.columns())) {
            RunResult result = request.run(reach, options(cancel, output.quiet ? null : progress, output)
                    .withWorkingDirectory(workingDirectory)
                    .withSecrets(SecretValues.from(System.in, System::getenv, workingDirectory)));
            progress.close();
            result = history.amend(result, reach.causes());
            int code = Reports.print(result, output, common, t, out, cancel.isCancelled());
            history.record(result);
            history.problem().ifPresent(p -> err.println("reach: warning: the run is not in the history: " + p
                    + " (REACH_HISTORY=off or --no-history to stop trying)"));
            return code;
        } catch (UsageException | PlaybookException e) {
            return usage(e, output, out, err);
        }
    }

    /**
     * A request that cannot run, said as the format asks: a check of the Monitoring Plugins convention ({@code --format
     * nagios}) prints {@code UNKNOWN - why} and exits 3, the state its caller understands; otherwise as {@link #usage}.
     */
    public static int usage(Exception e, OutputOptions output, PrintWriter out, PrintWriter err) {
        if (output.format() == OutputOptions.Format.NAGIOS) {
            List<String> why = switch (e) {
                case UsageException u -> u.problems();
                case PlaybookException p -> p.problems().stream().map(Object::toString).toList();
                default -> List.of(String.valueOf(e.getMessage()));
            };
            out.println("UNKNOWN - " + String.join("; ", why).replaceAll("\\s+", " ").replace('|', '/'));
            out.flush();
            return dev.reach.core.report.NagiosReport.State.UNKNOWN.exitCode();
        }
        return usage(e, err);
    }

    /** One line when plugins failed to load (each of them with --verbose). */
    static void warnAboutPlugins(Reach reach, CommonOptions common, PrintWriter err) {
        if (!reach.pluginProblems().isEmpty()) {
            err.println("reach: warning: " + reach.pluginProblems().size() + " plugin problem(s); see 'reach plugins'");
            if (common.verbose) reach.pluginProblems().forEach(p -> err.println("  " + p));
        }
    }

    public static RunOptions options(Cancellation cancel, ProgressView progress, OutputOptions output) {
        RunOptions options = RunOptions.defaults().withCancellation(cancel).withListener(progress == null ? e -> { } : progress);
        return output.timeout != null ? options.withTimeout(output.timeout) : options;
    }

    /** Whether the output options can be honoured (the --junit file's directory exists, one format); else says why. */
    public static boolean junitDirectoryExists(OutputOptions output, PrintWriter err) {
        if (output.conflict() != null) {
            err.println("reach: " + output.conflict());
            return false;
        }
        if (output.junit != null) {
            var parent = output.junit.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                err.println("reach: --junit " + output.junit + ": directory " + parent + " does not exist");
                return false;
            }
        }
        return true;
    }

    /** A request that cannot run: its problems, one a line, and exit code 2. */
    public static int usage(Exception e, PrintWriter err) {
        switch (e) {
            case UsageException u -> u.problems().forEach(p -> err.println("reach: " + p));
            case PlaybookException p -> {
                p.problems().forEach(q -> err.println(q.toString()));
                err.println("reach: the playbook has " + p.problems().size() + " problem(s); nothing ran");
            }
            default -> throw new IllegalArgumentException(e);
        }
        err.flush();
        return ExitCodes.USAGE;
    }
}
