package dev.reach.shell.repl;

import dev.reach.shell.command.ExitCodes;
import dev.reach.shell.command.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Shell: {@code target host[:port]} sets the host and port later probes and playbooks use when not given. */
@Command(name = "target", mixinStandardHelpOptions = true,
        description = {"Set the host (and port) that the probes and playbooks that follow use when not given them.",
                "Without an argument, show the target; the prompt shows it too."},
        footerHeading = "%nExamples:%n",
        footer = {"  target 127.0.0.1:5432", "  target [::1]:22", "  target db01:5432 --server-via 'ssh admin@db01'", "  target --clear"})
final class TargetCommand implements Callable<Integer> {
    private final Session session;

    TargetCommand(Session session) {
        this.session = session;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST[:PORT]", description = "The target, like db01:5432.")
    String target;

    @Option(names = "--clear", description = "Forget the target (and its server).")
    boolean clear;

    @Option(names = "--server-via", paramLabel = "CMD",
            description = "How to run reach on the target (ssh admin@db01, ip netns exec B): diagnoses then also look from there, and steps marked 'on: server' run there.")
    String serverVia;

    @Option(names = "--server-reach", paramLabel = "COMMAND", defaultValue = "reach", description = "The reach command there (default: reach).")
    String serverReach;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (clear) {
            session.target(null);
            session.server(null);
            out.println("target cleared");
        } else if (target != null) {
            try {
                session.target(HostPort.parse(target));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("reach: target " + e.getMessage());
                return ExitCodes.USAGE;
            }
            try {
                session.server(serverVia == null ? null : dev.reach.shell.command.ServerCommand.of(serverVia, serverReach));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("reach: target " + e.getMessage());
                return ExitCodes.USAGE;
            }
            out.println("target " + session.target().orElseThrow() + ": probes that take host"
                    + (session.target().orElseThrow().port() == null ? "" : "/port") + " use it unless given"
                    + session.server().map(v -> "; the server's side runs through: " + v.via()).orElse(""));
        } else {
            out.println(session.target().map(t -> "target " + t + session.server().map(v -> " (server's side through: " + v.via() + ")").orElse(""))
                    .orElse("no target; set one with 'target HOST[:PORT]'"));
        }
        out.flush();
        return ExitCodes.HEALTHY;
    }
}
