package dev.reach.shell;

import dev.reach.shell.command.CausesCommand;
import dev.reach.shell.command.CommandTree;
import dev.reach.shell.command.CompletionCommand;
import dev.reach.shell.command.DiagnoseCommand;
import dev.reach.shell.command.DiffCommand;
import dev.reach.shell.command.HeadlessWorkbench;
import dev.reach.shell.command.HistoryCommand;
import dev.reach.shell.command.ListenCommand;
import dev.reach.shell.command.PluginsCommand;
import dev.reach.shell.command.ProbeCommand;
import dev.reach.shell.command.ProbesCommand;
import dev.reach.shell.command.RunCommand;
import dev.reach.shell.command.WatchCommand;
import dev.reach.shell.command.SchemaCommand;
import dev.reach.shell.repl.ShellCommand;
import dev.reach.shell.resident.DaemonCommand;
import dev.reach.shell.serve.ServeCommand;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Entry point of the {@code reach} command: the one place that knows every room, it assembles the command tree
 * and runs it. Exit codes: 0 healthy, 1 fault found, 2 usage error, 3 internal error, 130 interrupted.
 */
public final class Main {
    /** The whole command line; {@code probe}, {@code diagnose} and the like build only their own part of it. */
    static final CommandTree TREE = new CommandTree(Main.class, subcommands(),
            Set.of("run", "probe", "diagnose", "listen", "probes", "causes", "plugins", "schema", "daemon", "serve", "history", "diff", "watch"));

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> m = new LinkedHashMap<>(); // in the order help lists them
        m.put("run", RunCommand.class);
        m.put("probe", ProbeCommand.class);
        m.put("diagnose", DiagnoseCommand.class);
        m.put("listen", ListenCommand.class);
        m.put("probes", ProbesCommand.class);
        m.put("causes", CausesCommand.class);
        m.put("plugins", PluginsCommand.class);
        m.put("schema", SchemaCommand.class);
        m.put("history", HistoryCommand.class);
        m.put("diff", DiffCommand.class);
        m.put("watch", WatchCommand.class);
        m.put("shell", ShellCommand.class);
        m.put("daemon", DaemonCommand.class);
        m.put("serve", ServeCommand.class);
        m.put("completion", CompletionCommand.class);
        m.put("help", dev.reach.shell.command.HelpCommand.class);
        return m;
    }

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args);
        if (endsWithoutHooks(args)) {
            // Runtime.exit first asks for the System.Logger of java.lang.Runtime, to log the exit: a search of every
            // jar of the class path for a logger service, the only reason a probe would open the twenty-one jars it
            // reads no resource of (about 10 ms of its start). A run's output is written and its history closed when
            // it returns, and it registers no shutdown hook but java.util.logging's (which only flushes its handlers):
            // it ends as exit would after the hooks.
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }

    /** Whether the command line is a run (a probe, a playbook, a diagnosis): one that leaves a shutdown hook nothing to do. */
    static boolean endsWithoutHooks(String... args) {
        return args.length > 0 && (Set.of("probe", "run", "diagnose").contains(args[0]) || TREE.isDiagnosis(args));
    }

    /** The command tree of the {@code reach} command. */
    public static CommandTree tree() {
        return TREE;
    }

    /** Runs the command line headless and returns the exit code (tests and the start-up cache's training call this). */
    public static int run(String... args) {
        return TREE.run(new HeadlessWorkbench(), null, null, args);
    }
}
