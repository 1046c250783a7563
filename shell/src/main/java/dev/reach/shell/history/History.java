package dev.reach.shell.history;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the run history is, and whether runs are recorded: {@code $XDG_STATE_HOME/reach/history.db} (else
 * {@code ~/.local/state/reach/history.db}); {@code REACH_HISTORY=off} (or {@code 0}, {@code no}, {@code false})
 * records nothing, {@code REACH_HISTORY=FILE.db} uses that file; {@code REACH_HISTORY_MAX_RUNS} bounds it. The system
 * property {@code reach.history} (a file, or off) comes before all of them: the start-up cache's training run records
 * into a history of its own with it.
 */
public final class History {
    private History() {
    }

    /** The history file the environment asks for, or empty when history is off. */
    public static Optional<Path> location(Function<String, String> env) {
        String setting = System.getProperty("reach.history", env.apply("REACH_HISTORY"));
        if (setting != null) {
            String s = setting.trim().toLowerCase(Locale.ROOT);
            if (s.equals("off") || s.equals("0") || s.equals("no") || s.equals("false")) return Optional.empty();
            if (!s.isEmpty() && !s.equals("on") && !s.equals("1") && !s.equals("yes") && !s.equals("true")) {
                return Optional.of(Path.of(setting.trim()));
            }
        }
        String state = env.apply("XDG_STATE_HOME");
        if (state != null && Path.of(state).isAbsolute()) return Optional.of(Path.of(state, "reach", "history.db"));
        String home = env.apply("HOME");
        if (home == null || home.isBlank()) home = System.getProperty("user.home");
        return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, ".local", "state", "reach", "history.db"));
    }

    /** The bound on runs kept ({@code REACH_HISTORY_MAX_RUNS}, at least 100), else {@link HistoryStore#DEFAULT_MAX_RUNS}. */
    public static int maxRuns(Function<String, String> env) {
        try {
            String v = env.apply("REACH_HISTORY_MAX_RUNS");
            return v == null ? HistoryStore.DEFAULT_MAX_RUNS : Math.max(100, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return HistoryStore.DEFAULT_MAX_RUNS;
        }
    }
}
