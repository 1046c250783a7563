package dev.reach.core.script;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.io.IOAccess;

import java.io.OutputStream;

/**
 * The one place a script context is made, for expressions and JS playbooks alike: no host classes or
 * objects, no IO (so no {@code load}, no {@code import} of files), no threads, no processes, no native
 * access, no environment, no polyglot access, output discarded, and a statement limit. Wall-clock
 * deadlines and the allocation budget are watched from outside (see {@link Watchdog}).
 */
final class Sandbox {
    /** Statements a context may execute (between {@link Context#resetLimits()} calls); a runaway loop ends here. */
    static final long STATEMENT_LIMIT = 10_000_000;
    /**
     * One limits object for every context of the engine: GraalJS instruments the shared code once, so all
     * contexts on one engine must use the same predicate. Internal sources (our own prelude) do not count.
     */
    private static final ResourceLimits LIMITS = ResourceLimits.newBuilder()
            .statementLimit(STATEMENT_LIMIT, source -> !source.isInternal())
            .build();

    private Sandbox() {
    }

    static Context context(ScriptEngine engine) {
        return Context.newBuilder("js")
                .engine(engine.get())
                .allowHostAccess(HostAccess.NONE)
                .allowHostClassLookup(name -> false)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowValueSharing(false)
                .option("js.load", "false")             // no load('file.js'): not even an attempt at IO
                .option("js.print", "false")
                .option("js.esm-eval-returns-exports", "true") // a module evaluates to its exports (metadata, main)
                .resourceLimits(LIMITS)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .build();
    }
}
