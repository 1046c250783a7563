package dev.reach.shell;

import dev.reach.core.Reach;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.run.Cancellation;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.UsageException;

import java.io.PrintWriter;
import java.nio.file.Files;

/** What `run` and `probe` share: the engine, Ctrl-C, progress, the report and the exit code. */
final class Runs {
    /** The work of one command, given the engine and the options to run with. */
    @FunctionalInterface
    interface Work {
        RunResult run(Reach reach, RunOptions options) throws UsageException, PlaybookException;
    }

    private Runs() {
    }

    /** {@code reach run FILE --check}: loads and validates, prints every problem, runs nothing. */
    static int check(CommonOptions common, java.nio.file.Path file, PrintWriter out, PrintWriter err) {
        try (Reach reach = common.reach(true)) {
            var pb = reach.load(file);
            out.println(file + ": ok (" + pb.steps().size() + " steps, inputs: "
                    + (pb.inputs().isEmpty() ? "none" : String.join(", ", pb.inputs().keySet())) + ")");
            return ExitCodes.HEALTHY;
        } catch (PlaybookException e) {
            e.problems().forEach(p -> err.println(p.toString()));
            err.println("reach: the playbook has " + e.problems().size() + " problem(s)");
            return ExitCodes.USAGE;
        }
    }

    static int execute(CommonOptions common, OutputOptions output, PrintWriter out, PrintWriter err, boolean warmScripts,
                       Work work) throws Exception {
        if (output.junit != null) {
            var parent = output.junit.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                err.println("reach: --junit " + output.junit + ": directory " + parent + " does not exist");
                return ExitCodes.USAGE;
            }
        }
        try (Reach reach = common.reach(warmScripts)) {
            if (!reach.pluginProblems().isEmpty()) {
                err.println("reach: warning: " + reach.pluginProblems().size() + " plugin problem(s); see 'reach plugins'");
                if (common.verbose) reach.pluginProblems().forEach(p -> err.println("  " + p));
            }
            Cancellation cancel = new Cancellation();
            Terminal t = common.terminal();
            try (Interrupts interrupts = Interrupts.on(cancel);
                 ProgressView progress = new ProgressView(err, t.interactive() && !common.quiet)) {
                RunOptions options = RunOptions.defaults().withCancellation(cancel)
                        .withListener(common.quiet ? e -> { } : progress);
                if (output.timeout != null) options = options.withTimeout(output.timeout);
                RunResult result = work.run(reach, options);
                progress.close();
                return Reports.print(result, output, common, out, err, interrupts.interrupted());
            } catch (UsageException e) {
                e.problems().forEach(p -> err.println("reach: " + p));
                return ExitCodes.USAGE;
            } catch (PlaybookException e) {
                e.problems().forEach(p -> err.println(p.toString()));
                err.println("reach: the playbook has " + e.problems().size() + " problem(s); nothing ran");
                return ExitCodes.USAGE;
            }
        }
    }
}
