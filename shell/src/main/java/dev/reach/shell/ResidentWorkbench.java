package dev.reach.shell;

import dev.reach.core.run.Cancellation;
import dev.reach.shell.term.OutputMode;

import java.io.PrintWriter;

/** The workbench of one resident command: the kept engines, the client's terminal, cancelled from the client. */
final class ResidentWorkbench implements Workbench {
    private final ResidentWire.ClientRequest request;
    private final Resident resident;
    private volatile Cancellation current;
    private volatile boolean cancelled;

    ResidentWorkbench(ResidentWire.ClientRequest request, Resident resident) {
        this.request = request;
        this.resident = resident;
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
        return new OutputMode(tty && !noColor && (noColorEnv == null || noColorEnv.isEmpty()) && !dumb,
                request.flag("errtty") && tty && !dumb);
    }

    @Override
    public <T> T withReach(CommonOptions common, ReachUse<T> use) throws Exception {
        return use.apply(resident.engine(common, false));
    }

    @Override
    public int execute(dev.reach.shell.Request request, CommonOptions common, OutputOptions output, PrintWriter out, PrintWriter err)
            throws Exception {
        if (!Runs.junitDirectoryExists(output, err)) {
            return ExitCodes.USAGE;
        }
        Cancellation cancel = new Cancellation();
        current = cancel;
        if (cancelled) cancel.cancel();
        try {
            return Runs.runAndReport(resident.engine(common, request.scripted()), request, common, output,
                    outputMode(common.noColor), cancel, out, err);
        } finally {
            current = null;
        }
    }
}
