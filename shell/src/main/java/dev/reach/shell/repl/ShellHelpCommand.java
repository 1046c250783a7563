package dev.reach.shell.repl;

import dev.reach.shell.command.ExitCodes;
import dev.reach.shell.command.ProbesCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Shell: {@code help} lists the commands; {@code help PROBE} shows a probe's spec; {@code help COMMAND} its usage. */
@Command(name = "help", description = "List the commands, or show a probe's parameters and facts, or a command's usage.")
final class ShellHelpCommand implements Callable<Integer> {
    private final Session session;

    ShellHelpCommand(Session session) {
        this.session = session;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROBE|COMMAND", description = "A probe id or a command.")
    String topic;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CommandLine root = spec.parent().commandLine();
        if (topic == null) {
            overview(root, out);
        } else if (root.getSubcommands().containsKey(topic)) {
            root.getSubcommands().get(topic).usage(out);
        } else {
            var reach = session.reach();
            var probe = reach.probes().find(topic);
            if (probe.isEmpty()) {
                spec.commandLine().getErr().println("reach: no command or probe '" + topic + "'"
                        + dev.reach.core.playbook.ParamBinder.closest(topic, reach.probes().ids()).map(c -> "; did you mean '" + c + "'?").orElse("")
                        + " ('help' lists commands, Tab lists probes)");
                return ExitCodes.USAGE;
            }
            ProbesCommand.describe(probe.get().spec(), reach.probes().pluginOf(topic).orElse(""), out);
        }
        out.flush();
        return ExitCodes.HEALTHY;
    }

    private void overview(CommandLine root, PrintWriter out) {
        out.println("Run a probe by its id with NAME=VALUE parameters; Tab completes ids, names and values:");
        out.println("  tcp.connect host=127.0.0.1 port=5432");
        out.println();
        out.println("Commands:");
        root.getSubcommands().forEach((name, cmd) -> {
            if (!name.equals(cmd.getCommandName())) return; // an alias
            String[] d = cmd.getCommandSpec().usageMessage().description();
            out.printf("  %-9s %s%n", name, d.length == 0 ? "" : d[0]);
        });
        out.println();
        out.println("'help PROBE' shows a probe's parameters and facts; 'help COMMAND' a command's options.");
        out.println("diagnose runs playbooks/unreachable.yaml: DNS, route, next hop, connect, then TLS/HTTP.");
        out.println("Keys: Tab completes, arrow up and Ctrl-R search earlier lines, a line ending in \\ continues,");
        out.println("Ctrl-C cancels what runs (or clears the line), Ctrl-D leaves. History: "
                + History.file().map(String::valueOf).orElse("(none)"));
    }
}
