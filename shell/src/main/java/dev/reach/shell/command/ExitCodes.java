package dev.reach.shell.command;

/** The process exit codes reach promises (README "Outputs and exit codes"). */
public final class ExitCodes {
    public static final int HEALTHY = 0;
    public static final int FAULT = 1;
    public static final int USAGE = 2;
    public static final int INTERNAL = 3;
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
