package dev.reach.shell.repl;

import dev.reach.core.Reach;
import dev.reach.shell.command.CommonOptions;
import dev.reach.shell.command.ExitCodes;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;

/**
 * The interactive loop on JLine 3: the prompt shows the target; history persists in the user's config
 * folder; Ctrl-C while a line is edited clears it, while something runs cancels that run; Ctrl-D leaves.
 * The only class that builds a terminal (0.3–0.5 s): headless commands never load it.
 */
final class Repl {
    private Repl() {
    }

    static int run(CommonOptions common) throws IOException {
        // plugins load while the terminal is built: both take a few hundred milliseconds
        CompletableFuture<Reach> reach = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("reach-engine").start(() -> {
            try {
                reach.complete(common.reach(false)); // the script engine starts when a playbook or js first needs it, not while the prompt comes up
            } catch (Throwable e) {
                reach.completeExceptionally(e);
            }
        });
        try (Terminal terminal = TerminalBuilder.builder().name("reach").system(true)
                .signalHandler(Terminal.SignalHandler.SIG_IGN).build()) {
            String noColorEnv = System.getenv("NO_COLOR");
            boolean dumb = Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
            boolean color = !common.noColor && (noColorEnv == null || noColorEnv.isEmpty()) && !Terminal.TYPE_DUMB.equals(terminal.getType());
            PrintWriter out = terminal.writer();
            Session.InterruptHook hook = action -> {
                Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, s -> action.run());
                return () -> terminal.handle(Terminal.Signal.INT, previous);
            };
            try (Session session = new Session(reach, hook, color, !dumb, terminal::getWidth)) {
                Shell shell = new Shell(session, out, out);
                LineReader reader = reader(terminal, shell, color, History.withoutSecretInputs(() -> reach.getNow(null)));
                reach.thenAccept(r -> reader.setVariable(LineReader.HISTORY_IGNORE, History.ignorePattern(History.secretParams(r))));
                out.println(paint(color, "reach " + Reach.version() + " shell", AttributedStyle.BOLD)
                        + " — Tab completes probes and parameters, 'help' lists commands, Ctrl-D leaves.");
                out.flush();
                loop(reader, shell, color);
                reader.getHistory().save();
            }
        }
        return ExitCodes.HEALTHY;
    }

    private static void loop(LineReader reader, Shell shell, boolean color) {
        Session session = shell.session();
        boolean warned = false;
        while (!session.exitRequested()) {
            String line;
            try {
                line = reader.readLine(prompt(session, color));
            } catch (UserInterruptException e) {
                continue; // Ctrl-C on the prompt: drop the line, stay
            } catch (EndOfFileException e) {
                break;
            }
            if (!warned && session.reachNow().isPresent()) {
                warned = true;
                var problems = session.reachNow().get().pluginProblems();
                if (!problems.isEmpty()) {
                    reader.getTerminal().writer().println("reach: warning: " + problems.size() + " plugin problem(s); see 'plugins'");
                }
            }
            try {
                shell.execute(line, reader.getParsedLine() == null ? java.util.List.of(line.split("\\s+")) : reader.getParsedLine().words());
            } catch (RuntimeException e) { // a bug in one command must not end the session
                reader.getTerminal().writer().println("reach: internal error: " + e);
            }
        }
    }

    private static LineReader reader(Terminal terminal, Shell shell, boolean color, org.jline.reader.History history) {
        DefaultParser parser = new DefaultParser();
        parser.setEofOnEscapedNewLine(true); // a line ending in \ continues on the next
        parser.setEofOnUnclosedQuote(true);
        parser.setEofOnUnclosedBracket(DefaultParser.Bracket.CURLY, DefaultParser.Bracket.ROUND, DefaultParser.Bracket.SQUARE);
        LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).appName("reach").parser(parser).history(history)
                .completer(new ShellCompleter(shell)).highlighter(new ShellHighlighter(shell, color))
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P. > ")
                .variable(LineReader.HISTORY_SIZE, 2000)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' belongs to JavaScript, not history
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
                .option(LineReader.Option.AUTO_FRESH_LINE, true);
        History.file().ifPresent(f -> {
            try {
                java.nio.file.Files.createDirectories(f.getParent());
                b.variable(LineReader.HISTORY_FILE, f);
            } catch (IOException e) {
                // no writable config folder: history lasts for this session only
            }
        });
        return b.build();
    }

    /** {@code reach 127.0.0.1:5432> }, or {@code reach> } without a target. */
    static String prompt(Session session, boolean color) {
        String target = session.target().map(t -> " " + t).orElse("");
        return paint(color, "reach", AttributedStyle.BOLD) + paint(color, target, AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN)) + "> ";
    }

    private static String paint(boolean color, String text, AttributedStyle style) {
        return color ? new AttributedStringBuilder().styled(style, text).toAnsi() : text;
    }
}
