package dev.reach.shell.command;

import dev.reach.core.run.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code reach probe ID k=v ...}: runs one probe and reports it like a one-step playbook. */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Run one probe. Parameters are NAME=VALUE words; 'reach probes ID' lists a probe's parameters."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach probe tcp.connect host=127.0.0.1 port=22",
                "  reach probe tcp.connect host=::1 port=5432 timeout=500ms --json"})
public final class ProbeCommand implements Callable<Integer> {
    private final Workbench bench;

    ProbeCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The probe, e.g. tcp.connect ('reach probes' lists them).")
    String id;

    @Parameters(index = "1..*", paramLabel = "NAME=VALUE", description = "Parameters, e.g. host=127.0.0.1 port=22.")
    List<String> words = new ArrayList<>();

    @Mixin
    CommonOptions common;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        Map<String, Object> params;
        try {
            params = keyValues(words);
        } catch (UsageException e) {
            return HeadlessWorkbench.usage(e, err);
        }
        return bench.execute(new Request.ProbeRequest(id, params), common, output, out, err);
    }

    /** Splits {@code k=v} words; a word without '=' is a usage error. */
    static Map<String, Object> keyValues(List<String> words) throws UsageException {
        Map<String, Object> raw = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                problems.add("expected NAME=VALUE, got '" + w + "' (for example port=443)");
            } else if (raw.put(w.substring(0, eq), w.substring(eq + 1)) != null) {
                problems.add("parameter '" + w.substring(0, eq) + "' is given twice");
            }
        }
        if (!problems.isEmpty()) throw new UsageException(problems);
        return raw;
    }
}
