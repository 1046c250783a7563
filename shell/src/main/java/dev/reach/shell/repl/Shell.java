package dev.reach.shell.repl;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.shell.command.CommandFactory;
import dev.reach.shell.command.ExitCodes;
import dev.reach.spi.ProbeSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One line typed in the shell → a command of {@link ShellCommands}, run on the {@link Session}. Knows the
 * shell's words: a line that starts with a probe id is {@code probe ID ...}; {@code js} takes the rest of
 * the line as it was typed (quotes included). No terminal here: tests drive it with plain writers.
 */
final class Shell {
    private final Session session;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CommandSpec spec;

    Shell(Session session, PrintWriter out, PrintWriter err) {
        this.session = session;
        this.out = out;
        this.err = err;
        this.spec = commandLine().getCommandSpec();
    }

    Session session() {
        return session;
    }

    /** The shell's command tree (for completion and highlighting; each line runs on a fresh one). */
    CommandSpec spec() {
        return spec;
    }

    /** The shell's command names, aliases included. */
    Set<String> commands() {
        return spec.subcommands().keySet();
    }

    /** The probe spec with this id, if the engine is loaded and has it; never waits for the engine. */
    Optional<ProbeSpec> probeNow(String id) {
        return session.reachNow().flatMap(r -> r.probes().find(id)).map(p -> p.spec());
    }

    /** Runs one line; returns its exit code (the prompt ignores it, tests read it). */
    int execute(String line, List<String> parsedWords) {
        List<String> words = words(line, parsedWords);
        if (words.isEmpty()) {
            return ExitCodes.HEALTHY;
        }
        int code = commandLine().execute(words.toArray(String[]::new));
        out.flush();
        err.flush();
        return code;
    }

    /** The words picocli parses: a leading probe id becomes {@code probe ID}; after {@code js}, the raw rest of the line. */
    List<String> words(String line, List<String> parsed) {
        List<String> words = parsed.stream().map(String::strip).filter(w -> !w.isEmpty()).toList(); // a continued line leaves its newline
        if (words.isEmpty()) return words;
        String first = words.getFirst();
        if (first.equals("js") && !words.contains("--help") && !words.contains("-h")) {
            String rest = line.strip().substring(2).strip();
            return rest.isEmpty() ? List.of("js") : List.of("js", "--", rest);
        }
        if (!commands().contains(first) && isProbeId(first)) {
            List<String> w = new ArrayList<>(words.size() + 1);
            w.add("probe");
            w.addAll(words);
            return w;
        }
        return words;
    }

    /** Known to the engine, or shaped like one ({@code dns.resolv}: the engine then says "did you mean"). */
    private boolean isProbeId(String word) {
        return word.contains(".") && !word.contains("/") || session.reach().probes().find(word).isPresent();
    }

    private CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new ShellCommands(), new CommandFactory(session));
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("reach: internal error: " + ex);
            return ExitCodes.INTERNAL;
        });
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            if (c.getCommandSpec() == c.getCommandSpec().root() && ex instanceof CommandLine.UnmatchedArgumentException u
                    && !u.getUnmatched().isEmpty()) {
                String word = u.getUnmatched().getFirst();
                List<String> known = new ArrayList<>(commands());
                known.addAll(session.reach().probes().ids());
                err.println("reach: unknown command '" + word + "'" + ParamBinder.closest(word, known)
                        .map(s -> "; did you mean '" + s + "'?").orElse("") + " ('help' lists commands, Tab completes)");
            } else {
                err.println("reach: " + ex.getMessage() + " (see 'help " + c.getCommandName() + "')");
            }
            return ExitCodes.USAGE;
        });
        return cmd;
    }
}
