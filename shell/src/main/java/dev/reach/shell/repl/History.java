package dev.reach.shell.repl;

import dev.reach.core.Reach;
import dev.reach.spi.Param;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The shell's history: where it is kept, and what never goes into it (nor into a saved playbook). */
final class History {
    private History() {
    }

    /** {@code $XDG_CONFIG_HOME/reach/history}, else {@code ~/.config/reach/history}. */
    static Optional<Path> file() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        String home = System.getProperty("user.home");
        Path dir = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home != null ? Path.of(home, ".config") : null;
        return Optional.ofNullable(dir).map(d -> d.resolve("reach").resolve("history"));
    }

    /** The names of the loaded probes' secret parameters ({@code password}): kept out of history and saved playbooks. */
    static Set<String> secretParams(Reach r) {
        return r.probes().all().stream().flatMap(p -> p.spec().params().stream()).filter(Param::isSecret)
                .map(Param::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Whether {@code line} runs a playbook and gives one of its secret inputs ({@code run db.yaml --set pin=1234}):
     * the input's name is the playbook's own, so no fixed pattern knows it. False while the engine is not ready.
     */
    static boolean givesSecretInput(String line, Reach r) {
        String[] words = line.strip().split("\\s+");
        if (r == null || words.length < 3 || !words[0].equals("run")) return false;
        Set<String> secret;
        try {
            secret = r.load(Path.of(words[1])).inputs().values().stream().filter(Param::isSecret).map(Param::name)
                    .collect(Collectors.toSet());
        } catch (Exception notAPlaybook) {
            return false;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq > 0 && secret.contains(w.substring(0, eq))) return true;
        }
        return false;
    }

    /** A history that leaves out the lines {@link #givesSecretInput} finds (the fixed patterns still apply). */
    static org.jline.reader.impl.history.DefaultHistory withoutSecretInputs(java.util.function.Supplier<Reach> reach) {
        return new org.jline.reader.impl.history.DefaultHistory() {
            @Override
            public void add(java.time.Instant time, String line) {
                if (!givesSecretInput(line, reach.get())) super.add(time, line);
            }
        };
    }

    /**
     * JLine's HISTORY_IGNORE for lines that give one of {@code secrets}: {@code password=} on a command line,
     * {@code password:} (and {@code password :}) in a {@code js} object literal; patterns are separated by ':', a
     * literal colon is escaped. Such a line runs, but never reaches the history (nor its file). A line that starts
     * with a space stays out of it too.
     */
    static String ignorePattern(Set<String> secrets) {
        return secrets.stream().flatMap(n -> java.util.stream.Stream.of("*" + n + "=*", "*" + n + "\\:*", "*" + n + " \\:*"))
                .collect(Collectors.joining(":"));
    }
}
