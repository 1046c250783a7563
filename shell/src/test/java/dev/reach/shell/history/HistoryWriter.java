package dev.reach.shell.history;

import java.nio.file.Path;
import java.util.Map;

/** A process of its own that records N runs into the history FILE (the store's test runs several at once). */
public final class HistoryWriter {
    private HistoryWriter() {
    }

    public static void main(String[] args) throws Exception {
        try (HistoryStore store = HistoryStore.open(Path.of(args[0]), HistoryStore.DEFAULT_MAX_RUNS)) {
            int n = Integer.parseInt(args[1]);
            for (int i = 0; i < n; i++) {
                store.record(Runs.record(0, i, i % 3 == 0 ? "tcp.refused" : "ok", Map.of("address", "198.18.2." + i + " (hosts)"), 0.3 + i));
            }
        }
        System.out.println("wrote " + args[1]);
    }
}
