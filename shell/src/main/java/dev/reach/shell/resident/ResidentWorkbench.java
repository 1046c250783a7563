package dev.reach.shell.resident;

import dev.reach.core.Reach;
import dev.reach.core.run.Cancellation;
import dev.reach.shell.command.CommonOptions;
import dev.reach.shell.command.EngineSetup;
import dev.reach.shell.command.ExitCodes;
import dev.reach.shell.command.HeadlessWorkbench;
import dev.reach.shell.command.OutputOptions;
import dev.reach.shell.command.Request;
import dev.reach.shell.command.Workbench;
import dev.reach.shell.history.Recorder;
import dev.reach.shell.term.OutputMode;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Function;

/** The workbench of one resident command: the kept engines, the client's terminal and width, cancelled from the client. */
final class ResidentWorkbench implements Workbench {
    private final ResidentWire.ClientRequest request;
    /** The resident's kept engines, one per set-up. */
    private final Function<EngineSetup, Reach> engines;
    private volatile Cancellation current;
    private volatile boolean cancelled;

    /** The resident's history, opened on its first run. */
    private final java.util.function.Supplier<Recorder> history;

    ResidentWorkbench(ResidentWire.ClientRequest request, Function<EngineSetup, Reach> engines, java.util.function.Supplier<Recorder> history) {
        this.request = request;
        this.engines = engines;
        this.history = history;
    }

    void cancelRun() {
        cancelled = true;
        Cancellation c = current;
        if (c != null) c.cancel();
    }

    @Override
    public OutputMode outputMode(boolean noColor) {
        String noColorEnv = request.fields().get("env.NO_COLOR");
        boolean dumb = "dumb".equals(request.fields().get("env.TERM"));
        boolean tty = request.flag("tty");
        String columns = request.fields().getOrDefault("columns", "");   // sent only when its output is a terminal
        return new OutputMode(tty && !noColor && (noColorEnv == null || noColorEnv.isEmpty()) && !dumb,
                request.flag("errtty") && tty && !dumb, OutputMode.width(request.fields().get("env.COLUMNS"),
                        !columns.isEmpty(), () -> columns.matches("[0-9]{1,5}") ? Integer.parseInt(columns) : 0));
    }

    /** The client's directory when it is not the resident's own (the resident checked it is an absolute path). */
    @Override
    public Path workingDirectory() {
        String cwd = request.fields().get("cwd");
        return cwd == null || cwd.equals(Path.of("").toAbsolutePath().toString()) ? null : Path.of(cwd);
    }

    @Override
    public <T> T withReach(CommonOptions common, ReachUse<T> use) throws Exception {
        return use.apply(engines.apply(common.setup(false, this::resolve)));
    }

    @Override
    public int execute(Request request, CommonOptions common, OutputOptions output, PrintWriter out, PrintWriter err)
            throws Exception {
        output.resolveJunit(this::resolve);
        if (!HeadlessWorkbench.junitDirectoryExists(output, err)) {
            return ExitCodes.USAGE;
        }
        Cancellation cancel = new Cancellation();
        current = cancel;
        if (cancelled) cancel.cancel();
        try {
            return HeadlessWorkbench.runAndReport(engines.apply(common.setup(request.scripted(), this::resolve)), request, common, output,
                    outputMode(common.noColor), cancel, workingDirectory(), output.noHistory ? Recorder.off() : history.get(), out, err);
        } finally {
            current = null;
        }
    }
}
