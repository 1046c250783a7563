package dev.reach.plugins.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * "Stop when the other side is done": the end of this process's standard input, when it is a pipe or a socket (what
 * ssh, kubectl exec -i and a parent process give a command they run). A terminal, a file or /dev/null never ends a
 * watch: their end of input means nothing about the other side.
 */
final class StdinEnd {
    private StdinEnd() {
    }

    /** Whether standard input is a pipe or a socket (Linux: /proc/self/fd/0 names it). */
    static boolean watchable() {
        try {
            String what = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return what.startsWith("pipe:") || what.startsWith("socket:");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * Runs {@code then} once standard input reaches its end (what is read before it is dropped). One reader for the
     * process, started on first use: the end of input is a fact of the process, and a long-lived reach (serve) must not
     * gather a blocked reader per watch.
     */
    static void onEof(Runnable then) {
        Reader.ENDED.thenRun(then);
    }

    private static final class Reader {
        static final java.util.concurrent.CompletableFuture<Void> ENDED = start();

        private static java.util.concurrent.CompletableFuture<Void> start() {
            var ended = new java.util.concurrent.CompletableFuture<Void>();
            Thread t = new Thread(() -> {
                InputStream in = System.in;
                byte[] buf = new byte[512];
                try {
                    for (int i = 0; i < 1_000_000 && in.read(buf) >= 0; i++) {
                        // the other side sends nothing: anything it does is not a signal
                    }
                } catch (IOException e) {
                    // a broken input is an ended one
                }
                ended.complete(null);
            }, "reach-stdin-end");
            t.setDaemon(true);
            t.start();
            return ended;
        }
    }
}
