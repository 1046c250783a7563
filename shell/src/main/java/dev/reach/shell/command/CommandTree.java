package dev.reach.shell.command;

import picocli.CommandLine;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code reach} command line: its subcommands by name, and how a list of words runs on a workbench. The entry
 * point builds the one tree of the process; the resident reach runs its clients' commands through it, and a command
 * that needs the tree (starting a resident) is handed it by {@link CommandFactory}, so no room calls back into
 * {@code main}.
 */
public final class CommandTree {
    private final Class<?> mainClass;
    private final Map<String, Class<?>> subcommands;
    private final Set<String> standalone;

    /**
     * @param mainClass   the class whose {@code main} runs this tree (another JVM of it serves as a resident reach)
     * @param subcommands the subcommands by name, in the order help lists them
     * @param standalone  those whose run needs no other part of the tree: a run of one builds only its own
     */
    public CommandTree(Class<?> mainClass, Map<String, Class<?>> subcommands, Set<String> standalone) {
        this.mainClass = mainClass;
        this.subcommands = Collections.unmodifiableMap(new LinkedHashMap<>(subcommands));
        this.standalone = Set.copyOf(standalone);
    }

    /** The class whose {@code main} runs this tree. */
    public Class<?> mainClass() {
        return mainClass;
    }

    /** Whether {@code word} names a command (else {@code reach WORD} may be a target to diagnose). */
    public boolean isCommand(String word) {
        return subcommands.containsKey(word);
    }

    /**
     * Runs the command line on this workbench, writing to {@code out} and {@code err} (null: standard output and
     * error), and returns the exit code. {@code reach HOST:PORT ...} is {@code reach diagnose HOST:PORT ...}.
     */
    public int run(Workbench bench, PrintWriter out, PrintWriter err, String... args) {
        if (isDiagnosis(args)) {
            String[] diagnose = new String[args.length + 1];
            diagnose[0] = "diagnose";
            System.arraycopy(args, 0, diagnose, 1, args.length);
            args = diagnose;
        }
        ProbeCommand plain = ProbeCommand.plainWords(bench, args);
        if (plain != null) {
            return runPlain(plain, out, err);
        }
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // what picocli prints for it, without building the whole tree first (0.2 s of a fresh start)
            PrintWriter o = out != null ? out : writer(System.out, "sun.stdout.encoding");
            for (String line : new ReachCommand.Version().getVersion()) o.println(line);
            o.flush();
            return ExitCodes.HEALTHY;
        }
        CommandLine cmd = commandLine(args.length > 0 ? args[0] : null, bench);
        if (out != null) cmd.setOut(out);
        if (err != null) cmd.setErr(err);
        return cmd.execute(args);
    }

    /**
     * Whether {@code reach ARGS} is {@code reach diagnose ARGS}: the first word is a target ({@code db01:5432},
     * {@code https://web/}) or a host without a port (which the diagnosis then asks for), or options come first and
     * a target follows them before any command ({@code reach --json db01:5432}); never with {@code --help} or
     * {@code --version} before it.
     */
    public boolean isDiagnosis(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (isCommand(a) || a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) return false;
            if (DiagnoseCommand.looksLikeTarget(a) || DiagnoseCommand.looksLikeHost(a)) return true;
            if (i == 0 && !a.startsWith("-")) return false; // a first word that is neither: picocli says what it is not
        }
        return false;
    }

    /** A {@code reach probe} read without picocli, on writers made as picocli makes them when none is given. */
    private static int runPlain(ProbeCommand probe, PrintWriter out, PrintWriter err) {
        PrintWriter o = out != null ? out : writer(System.out, "sun.stdout.encoding");
        PrintWriter e = err != null ? err : writer(System.err, "sun.stderr.encoding");
        try {
            return probe.run(o, e);
        } catch (Exception ex) {
            return internalError(ex, probe.verbose(), e);
        } finally {
            o.flush();
            e.flush();
        }
    }

    private static PrintWriter writer(PrintStream stream, String encodingProperty) {
        Charset charset = Charset.defaultCharset();
        String name = System.getProperty(encodingProperty);
        try {
            if (name != null) charset = Charset.forName(name);
        } catch (IllegalArgumentException unknown) {
            // picocli falls back to the default charset too
        }
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
    }

    /** A command that threw: one line on {@code err} (and its stack trace with --verbose); exit code 3. */
    private static int internalError(Exception ex, boolean verbose, PrintWriter err) {
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.println("reach: internal error: " + ex + (verbose ? "" : " (run with --verbose for the stack trace)"));
        return ExitCodes.INTERNAL;
    }

    /** The whole tree on a headless workbench: every subcommand (completion scripts and help need it). */
    public CommandLine commandLine() {
        return commandLine(null, new HeadlessWorkbench());
    }

    /**
     * The tree for a run whose first word is {@code first}: a standalone command ({@code probe},
     * {@code diagnose}, ...) gets only itself under the root, anything else the whole tree. picocli builds
     * each command's model by reflection when it is added: the whole tree cost 60-80 ms of every start.
     */
    public CommandLine commandLine(String first, Workbench bench) {
        CommandLine cmd = new CommandLine(new ReachCommand(), new CommandFactory(bench, this));
        if (first != null && standalone.contains(first)) {
            cmd.addSubcommand(first, subcommands.get(first));
        } else {
            subcommands.forEach(cmd::addSubcommand);
        }
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> internalError(ex, parseResult.hasMatchedOption("--verbose")
                || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose")), commandLine.getErr()));
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("reach: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more.");
            return ExitCodes.USAGE;
        });
        return cmd;
    }
}
