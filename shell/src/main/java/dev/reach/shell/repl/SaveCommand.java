package dev.reach.shell.repl;

import dev.reach.shell.command.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.Callable;

/** Shell: {@code save FILE [--force]} writes the session's probes as a playbook that {@code reach run FILE} replays. */
@Command(name = "save", mixinStandardHelpOptions = true,
        description = {"Save what this session ran as a YAML playbook, to share or to rerun with 'reach run FILE'.",
                "Cancelled runs are left out. An existing file is never replaced without --force."},
        footerHeading = "%nExamples:%n",
        footer = {"  save db-check.yaml", "  save db-check.yaml --force"})
final class SaveCommand implements Callable<Integer> {
    private final Session session;

    SaveCommand(Session session) {
        this.session = session;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the playbook (.yaml).")
    Path file;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var requests = session.entries().stream().filter(e -> !e.result().cancelled()).map(Session.Entry::request).toList();
        if (requests.isEmpty()) {
            err.println("reach: nothing to save yet; run a probe first");
            return ExitCodes.USAGE;
        }
        if (Files.exists(file) && !force) {
            err.println("reach: " + file + " exists; choose another name or add --force to replace it");
            return ExitCodes.USAGE;
        }
        Path abs = file.toAbsolutePath();
        String yaml = PlaybookWriter.yaml(abs, requests, session.target().orElse(null), Instant.now(),
                History.secretParams(session.reach()));
        if (!Files.isDirectory(abs.getParent())) {
            err.println("reach: directory " + abs.getParent() + " does not exist");
            return ExitCodes.USAGE;
        }
        if (force) {
            Files.writeString(abs, yaml);
        } else {
            Files.writeString(abs, yaml, StandardOpenOption.CREATE_NEW); // fails rather than replace a file made meanwhile
        }
        out.println("saved " + requests.size() + " step(s) to " + file + "; rerun with: reach run " + file);
        out.flush();
        return ExitCodes.HEALTHY;
    }
}
