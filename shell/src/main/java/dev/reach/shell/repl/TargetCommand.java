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
        footer = {"  target 127.0.0.1:5432", "  target [::1]:22", "  target --clear"})
final class TargetCommand implements Callable<Integer> {
    private final Session session;

    TargetCommand(Session session) {
        this.session = session;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST[:PORT]", description = "The target, like db01:5432.")
    String target;

    @Option(names = "--clear", description = "Forget the target.")
    boolean clear;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (clear) {
            session.target(null);
            out.println("target cleared");
        } else if (target != null) {
            try {
                session.target(HostPort.parse(target));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("reach: target " + e.getMessage());
                return ExitCodes.USAGE;
            }
            out.println("target " + session.target().orElseThrow() + ": probes that take host"
                    + (session.target().orElseThrow().port() == null ? "" : "/port") + " use it unless given");
        } else {
            out.println(session.target().map(t -> "target " + t).orElse("no target; set one with 'target HOST[:PORT]'"));
        }
        out.flush();
        return ExitCodes.HEALTHY;
    }
}
