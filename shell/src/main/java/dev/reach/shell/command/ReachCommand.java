package dev.reach.shell.command;

import dev.reach.core.Reach;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The top of the command tree; each subcommand is one class, added by {@link CommandTree}. */
@Command(name = "reach",
        mixinStandardHelpOptions = true,
        versionProvider = ReachCommand.Version.class,
        customSynopsis = {"reach HOST:PORT [OPTIONS]     diagnose (also URL, HOST:PORT/udp)",
                "       reach COMMAND [ARGS]          see the commands below"},
        description = {"Finds why one machine cannot reach another, and says so in one verdict with its evidence and the fix.", ""},
        footerHeading = "%nExamples:%n",
        footer = {"  reach 127.0.0.1:5432              # why this service does not answer",
                "  reach https://web01/ --json       # the same for a URL, as JSON",
                "  reach probe tcp.connect host=127.0.0.1 port=5432",
                "  reach run playbooks/connect.yaml --set host=127.0.0.1 --set port=5432",
                "  reach probes tcp.connect          # what a probe takes and returns",
                "  reach shell                       # interactive ('reach' alone on a terminal)",
                "",
                "Exit codes: 0 healthy, 1 a fault was found (or a check could not run),",
                "            2 usage or playbook error, 3 internal error, 130 interrupted.",
                "Environment: NO_COLOR (no colours), REACH_PLUGINS (more plugin directories,",
                "             colon-separated)."})
final class ReachCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Alone on a terminal, {@code reach} opens the shell; piped or scripted, it prints its usage. */
    @Override
    public Integer call() {
        java.io.Console console = System.console();
        if (console != null && console.isTerminal() && !"dumb".equals(System.getenv("TERM"))) {
            return spec.commandLine().getSubcommands().get("shell").execute();
        }
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.HEALTHY;
    }

    /** {@code reach --version}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"reach " + Reach.version() + " (engine API " + Reach.engineVersion() + ", Java "
                    + Runtime.version() + ")"};
        }
    }
}
