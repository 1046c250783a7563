package dev.reach.shell.command;

import dev.reach.core.run.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code reach run FILE [k=v ...] [--set k=v ...]}: validates a playbook, then runs it to one verdict. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a playbook: its steps, its branches, and one verdict at the end.",
                "The playbook is checked first; any problem is reported as FILE:LINE:COL and nothing runs."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach run playbooks/connect.yaml --set host=127.0.0.1 --set port=5432",
                "  reach run playbooks/connect.yaml host=127.0.0.1 port=5432      # inputs as words, the same",
                "  reach run time                     # an installed playbook, by name",
                "  reach run my.yaml --json > result.json; reach run my.yaml --junit report.xml"})
public final class RunCommand implements Callable<Integer> {
    private final Workbench bench;

    RunCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The playbook (.yaml or .js), or an installed one by name (time, tls).")
    Path file;

    @Parameters(index = "1..*", paramLabel = "NAME=VALUE", description = "Inputs as words, the same as --set NAME=VALUE.")
    List<String> words = new ArrayList<>();

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "An input of the playbook (repeatable).")
    Map<String, String> inputs = new LinkedHashMap<>();

    @Option(names = "--check", description = "Only load and check the playbook (names, parameters, expressions); run nothing.")
    boolean check;

    @Mixin
    ServerOptions server;

    @Mixin
    CommonOptions common;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        // a bare name that is no file here is an installed playbook (reach run time); the engine finds it
        Path playbook = file.toString().contains("/") || Files.exists(bench.resolve(file)) ? bench.resolve(file) : file;
        if (check) {
            return HeadlessWorkbench.check(common, playbook, out, err);
        }
        Map<String, Object> raw = new LinkedHashMap<>(inputs);
        try {
            raw.putAll(ProbeCommand.keyValues(words));
        } catch (UsageException e) {
            return HeadlessWorkbench.usage(e, err);
        }
        java.util.Optional<ServerCommand> via;
        try {
            via = server.command(bench);
        } catch (IllegalArgumentException e) {
            err.println("reach: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Request.Around around = via.map(v -> new Request.Around(o -> o.withServer(v), java.util.function.UnaryOperator.<dev.reach.core.run.RunResult>identity()))
                .orElse(Request.Around.NONE);
        return bench.execute(new Request.PlaybookRequest(playbook, raw, around), common, output, out, err);
    }
}
