package dev.reach.shell;

import picocli.CommandLine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Entry point of the {@code reach} command. Exit codes: 0 healthy, 1 fault found, 2 usage error, 3 internal error, 130 interrupted. */
public final class Main {
    /** The subcommands, by name, in the order help lists them. */
    private static final Map<String, Class<?>> SUBCOMMANDS = subcommands();
    /** Commands that stand alone: a run of one of these builds only its own part of the command tree. */
    private static final Set<String> STANDALONE = Set.of("run", "probe", "diagnose", "listen", "probes", "plugins", "daemon");

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("run", RunCommand.class);
        m.put("probe", ProbeCommand.class);
        m.put("diagnose", DiagnoseCommand.class);
        m.put("listen", ListenCommand.class);
        m.put("probes", ProbesCommand.class);
        m.put("plugins", PluginsCommand.class);
        m.put("shell", ShellCommand.class);
        m.put("daemon", DaemonCommand.class);
        m.put("completion", CompletionCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return java.util.Collections.unmodifiableMap(m);
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        return run(new Runs(), null, null, args);
    }

    /** Whether {@code word} names a command (else {@code reach WORD} may be a target to diagnose). */
    static boolean isCommand(String word) {
        return SUBCOMMANDS.containsKey(word);
    }

    /**
     * Runs the command line on this workbench, writing to {@code out} and {@code err} (null: standard output
     * and error), and returns the exit code. The resident reach runs its clients' commands here.
     */
    static int run(Workbench bench, java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        if (args.length > 0 && !SUBCOMMANDS.containsKey(args[0]) && DiagnoseCommand.looksLikeTarget(args[0])) {
            String[] diagnose = new String[args.length + 1]; // reach HOST:PORT ... is reach diagnose HOST:PORT ...
            diagnose[0] = "diagnose";
            System.arraycopy(args, 0, diagnose, 1, args.length);
            args = diagnose;
        }
        CommandLine cmd = commandLine(args.length > 0 ? args[0] : null, bench);
        if (out != null) cmd.setOut(out);
        if (err != null) cmd.setErr(err);
        return cmd.execute(args);
    }

    /** The whole command tree: every subcommand (completion scripts, help and the shell need it). */
    static CommandLine commandLine() {
        return commandLine(null, new Runs());
    }

    /**
     * The command tree for a run whose first word is {@code first}: a standalone command ({@code probe},
     * {@code diagnose}, ...) gets only itself under the root, anything else the whole tree. picocli builds
     * each command's model by reflection when it is added: the whole tree cost 60-80 ms of every start.
     */
    static CommandLine commandLine(String first, Workbench bench) {
        CommandLine cmd = new CommandLine(new ReachCommand(), new CommandFactory(bench));
        if (first != null && STANDALONE.contains(first)) {
            cmd.addSubcommand(first, SUBCOMMANDS.get(first));
        } else {
            SUBCOMMANDS.forEach(cmd::addSubcommand);
        }
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            if (verbose) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().println("reach: internal error: " + ex + (verbose ? "" : " (run with --verbose for the stack trace)"));
            return ExitCodes.INTERNAL;
        });
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
