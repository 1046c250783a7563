package dev.reach.shell;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code reach diagnose HOST:PORT}: the one-question entry point. For now it runs the shipped
 * {@code playbooks/connect.yaml}; the full diagnosis playbook (DNS, route, TLS...) replaces it later.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = {"Find out why HOST:PORT cannot be reached, and say so in one verdict.",
                "For now this runs playbooks/connect.yaml (a TCP connect and what its failure means); "
                        + "the full diagnosis playbook comes later.",
                "In the shell, HOST:PORT defaults to the current target."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach diagnose 127.0.0.1:5432", "  reach diagnose [::1]:22 --json"})
final class DiagnoseCommand implements Callable<Integer> {
    static final String PLAYBOOK = "connect.yaml";

    private final Workbench bench;

    DiagnoseCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST:PORT", description = "What to reach, like db01:5432 or [::1]:22.")
    String target;

    @Mixin
    CommonOptions common;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        Map<String, Object> inputs = Map.of();
        if (target != null) {
            try {
                inputs = HostPort.parse(target).params();
            } catch (IllegalArgumentException e) {
                err.println("reach: diagnose " + e.getMessage());
                return ExitCodes.USAGE;
            }
        } else if (!bench.hasTarget()) {
            err.println("reach: diagnose needs HOST:PORT, like 'diagnose 127.0.0.1:5432'");
            return ExitCodes.USAGE;
        }
        return bench.execute(new Request.PlaybookRequest(playbook(), inputs), common, output, spec.commandLine().getOut(), err);
    }

    /** The distribution's playbooks folder (reach.home), else the one in the working directory (a source tree). */
    static Path playbooksDir() {
        String home = System.getProperty("reach.home");
        return home != null ? Path.of(home, "playbooks") : Path.of("playbooks");
    }

    private static Path playbook() {
        return playbooksDir().resolve(PLAYBOOK);
    }
}
