package dev.reach.shell.command;

import dev.reach.shell.history.RunFacts;
import dev.reach.shell.history.HistoryStore;
import dev.reach.shell.history.History;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/** What {@code reach history}, {@code reach diff} and the shell share: the store as the environment names it, and times as shown. */
public final class StoredHistory {
    /** Times as the listings show them: local, to the second. */
    public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    private StoredHistory() {
    }

    /**
     * The history the environment names, opened, or empty after saying on {@code err} why there is none (off, or no
     * run recorded yet: then {@code quietWhenEmpty} keeps it silent).
     */
    public static Optional<HistoryStore> open(PrintWriter err) {
        Optional<Path> file = History.location(System::getenv);
        if (file.isEmpty()) {
            err.println("reach: the run history is off (REACH_HISTORY=off): no run is recorded");
            return Optional.empty();
        }
        if (!Files.exists(file.get())) {
            err.println("reach: no run recorded yet (the history is kept in " + file.get() + ")");
            return Optional.empty();
        }
        try {
            return Optional.of(HistoryStore.open(file.get(), History.maxRuns(System::getenv)));
        } catch (IOException e) {
            err.println("reach: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** A target as the user typed it ({@code db01:5432}, {@code https://web01/}), as the history keys runs. */
    public static String target(String typed) {
        return RunFacts.target(typed, DiagnoseCommand::inputs);
    }
}
