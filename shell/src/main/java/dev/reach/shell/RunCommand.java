package dev.reach.shell;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code reach run FILE --set k=v ...}: validates a playbook, then runs it to one verdict. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a playbook: its steps, its branches, and one verdict at the end.",
                "The playbook is checked first; any problem is reported as FILE:LINE:COL and nothing runs."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach run playbooks/connect.yaml --set host=127.0.0.1 --set port=5432",
                "  reach run my.yaml --json > result.json; reach run my.yaml --junit report.xml"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The playbook (.yaml).")
    Path file;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "An input of the playbook (repeatable).")
    Map<String, String> inputs = new LinkedHashMap<>();

    @Option(names = "--check", description = "Only load and check the playbook (names, parameters, expressions); run nothing.")
    boolean check;

    @Mixin
    CommonOptions common;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (check) {
            return Runs.check(common, file, out, err);
        }
        return Runs.execute(common, output, out, err, true, (reach, options) -> reach.run(reach.load(file), inputs, options));
    }
}
