package dev.reach.shell;

import dev.reach.core.Reach;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The top of the command tree; each subcommand is one class. */
@Command(name = "reach",
        mixinStandardHelpOptions = true,
        versionProvider = ReachCommand.Version.class,
        description = {"Finds why one machine cannot reach another, and says so in one verdict with its evidence and the fix.", ""},
        subcommands = {RunCommand.class, ProbeCommand.class, ProbesCommand.class, PluginsCommand.class,
                picocli.CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  reach probe tcp.connect host=127.0.0.1 port=5432",
                "  reach run playbooks/connect.yaml --set host=127.0.0.1 --set port=5432",
                "  reach probes tcp.connect          # what a probe takes and returns",
                "",
                "Exit codes: 0 healthy, 1 a fault was found (or a check could not run), 2 usage or playbook error,",
                "            3 internal error, 130 interrupted.",
                "Environment: NO_COLOR (no colours), REACH_PLUGINS (more plugin directories, colon-separated)."})
final class ReachCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
