package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.report.Wrap;
import dev.reach.core.verdict.CauseCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code reach causes [CODE] [--json]}: the fault catalogue a verdict names its cause from (with the codes the loaded
 * plugins add), by section; one code shows what proves it and what the verdict says.
 */
@Command(name = "causes", mixinStandardHelpOptions = true,
        description = {"List the cause codes a verdict may name (the fault catalogue and the plugins' own), by section;",
                "with CODE, what proves that cause, what its verdict says and its fix."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach causes                 # every code, by section",
                "  reach causes tcp.filtered    # what proves it, what the verdict says, the fix",
                "  reach causes --json"})
public final class CausesCommand implements Callable<Integer> {
    private final Workbench bench;

    CausesCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CODE", description = "One cause code, like tcp.refused.")
    String code;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return bench.withReach(common, reach -> print(reach.causes(), out, err));
    }

    private int print(CauseCatalog catalog, PrintWriter out, PrintWriter err) throws Exception {
        List<CauseCatalog.Cause> shown = catalog.causes();
        if (code != null) {
            var one = catalog.find(code);
            if (one.isEmpty()) {
                err.println("reach: unknown cause '" + code + "'" + dev.reach.core.playbook.ParamBinder.closest(code, catalog.codes())
                        .map(c -> "; did you mean '" + c + "'?").orElse("") + " ('reach causes' lists them)");
                return ExitCodes.USAGE;
            }
            shown = List.of(one.get());
        }
        if (json) {
            List<Map<String, Object>> rows = shown.stream().map(c -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("code", c.code());
                m.put("section", c.section());
                m.put("evidence", c.evidence());
                m.put("says", c.says());
                m.put("fix", c.fix().isEmpty() ? null : c.fix());
                m.put("plugin", c.plugin().isEmpty() ? null : c.plugin());
                return m;
            }).toList();
            out.println(Reports.json(Map.of("causes", rows)));
            return ExitCodes.HEALTHY;
        }
        if (code != null) {
            CauseCatalog.Cause c = shown.getFirst();
            out.println(c.code() + " (" + (c.plugin().isEmpty() ? c.section() : "from plugin " + c.plugin()) + ")");
            Wrap.lines("Evidence: " + c.evidence(), 78).forEach(l -> out.println("  " + l));
            Wrap.lines("Verdict: " + c.says(), 78).forEach(l -> out.println("  " + l));
            if (!c.fix().isEmpty()) {
                Wrap.lines("Fix: " + dev.reach.core.run.Verdicts.fill(c.fix(), Map.of()), 78).forEach(l -> out.println("  " + l));
            }
            return ExitCodes.HEALTHY;
        }
        String section = null;
        int width = shown.stream().mapToInt(c -> c.code().length()).max().orElse(0);
        for (CauseCatalog.Cause c : shown) {
            if (!c.section().equals(section)) {
                section = c.section();
                out.println(section);
            }
            String says = c.says().length() > 76 - width ? c.says().substring(0, Math.max(0, 73 - width)).strip() + "..." : c.says();
            out.println(String.format(java.util.Locale.ROOT, "  %-" + width + "s  %s", c.code(), says));
        }
        return ExitCodes.HEALTHY;
    }
}
