package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.shell.term.OutputMode;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Where commands get their engine and how their runs are driven: {@link HeadlessWorkbench} builds one engine per
 * process and stops on Ctrl-C (headless); {@link Session} keeps one engine for the whole shell, records
 * results and returns to the prompt. The same command classes serve both.
 */
public interface Workbench {
    /** Runs the request with progress and Ctrl-C handling, prints its report and returns the exit code. */
    int execute(Request request, CommonOptions common, OutputOptions output, PrintWriter out, PrintWriter err) throws Exception;

    /** Calls {@code use} with an engine (headless: built for the call and closed after it). */
    <T> T withReach(CommonOptions common, ReachUse<T> use) throws Exception;

    /** What the output is attached to (colours, live progress); the resident reach asks its client's. */
    default OutputMode outputMode(boolean noColor) {
        return OutputMode.detect(noColor);
    }

    /**
     * The directory the user's relative paths mean, when it is not this process's own (the resident reach's
     * client's); null otherwise. Runs resolve relative {@code file} parameters and inputs against it.
     */
    default Path workingDirectory() {
        return null;
    }

    /** A path the user gave, as this process must open it: resolved against {@link #workingDirectory()} if any. */
    default Path resolve(Path path) {
        Path dir = workingDirectory();
        return dir == null || path == null ? path : dir.resolve(path);
    }

    /** The server the shell's {@code target --server-via} names; headless runs have none. */
    default java.util.Optional<ServerCommand> server() {
        return java.util.Optional.empty();
    }

    /** The shell's target, for a command that needs its host and port before the run fills them in; headless runs have none. */
    default java.util.Optional<HostPort> target() {
        return java.util.Optional.empty();
    }

    /** Whether a default host is set (the shell's {@code target}); headless runs have none. */
    default boolean hasTarget() {
        return false;
    }

    /** Work that needs the engine. */
    @FunctionalInterface
    interface ReachUse<T> {
        T apply(Reach reach) throws Exception;
    }
}
