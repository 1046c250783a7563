package dev.reach.shell.command;

import dev.reach.core.run.Cancellation;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C cancels the running work cleanly (the report of what was seen still prints); a second Ctrl-C
 * exits at once with 130.
 */
final class Interrupts implements AutoCloseable {
    private final SignalHandler previous;
    private volatile boolean interrupted;

    private Interrupts(Cancellation cancellation) {
        SignalHandler prev;
        try {
            prev = Signal.handle(new Signal("INT"), sig -> {
                if (interrupted) {
                    Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
                }
                interrupted = true;
                cancellation.cancel();
            });
        } catch (IllegalArgumentException e) {
            prev = null; // no SIGINT on this platform, or the JVM reserved it (-Xrs)
        }
        previous = prev;
    }

    static Interrupts on(Cancellation cancellation) {
        return new Interrupts(cancellation);
    }

    boolean interrupted() {
        return interrupted;
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(new Signal("INT"), previous);
        }
    }
}
