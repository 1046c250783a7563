package dev.reach.shell;

/** The process exit codes reach promises (README "Outputs and exit codes"). */
final class ExitCodes {
    static final int HEALTHY = 0;
    static final int FAULT = 1;
    static final int USAGE = 2;
    static final int INTERNAL = 3;
    static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
