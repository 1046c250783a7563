package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.plugin.LoadedPlugin;
import dev.reach.core.plugin.PluginProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code reach plugins [--json]}: what loaded, with its probes, and every plugin that failed and why. */
@Command(name = "plugins", mixinStandardHelpOptions = true, subcommands = {PluginsInstallCommand.class, PluginsNewCommand.class},
        description = {"List the loaded plugins (id, version, probes, file) and any plugin that could not load, with the reason.",
                "Exits 1 when a plugin had a problem."})
public final class PluginsCommand implements Callable<Integer> {
    private final Workbench bench;

    PluginsCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        return bench.withReach(common, reach -> print(reach, out));
    }

    private int print(Reach reach, PrintWriter out) throws Exception {
        List<LoadedPlugin> plugins = reach.plugins();
        List<PluginProblem> problems = reach.pluginProblems();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("plugins", plugins.stream().map(p -> {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("id", p.id());
                pm.put("version", p.version());
                pm.put("provider", p.provider());
                pm.put("description", p.description());
                pm.put("path", String.valueOf(p.path()));
                pm.put("probes", p.probeIds());
                pm.put("causes", p.causeCodes());
                return pm;
            }).toList());
            m.put("problems", problems.stream().map(p -> {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("source", p.source());
                pm.put("message", p.message());
                pm.put("detail", p.detail());
                return pm;
            }).toList());
            out.println(Reports.json(m));
        } else {
            if (plugins.isEmpty()) out.println("No plugins loaded.");
            for (LoadedPlugin p : plugins) {
                out.printf("%s %s  %s%n    probes: %s%n", p.id(), p.version(), p.description(),
                        p.probeIds().isEmpty() ? "(none)" : String.join(", ", p.probeIds()));
                if (!p.causeCodes().isEmpty()) out.printf("    causes: %s%n", String.join(", ", p.causeCodes()));
                out.printf("    from:   %s%n", p.path());
            }
            if (!problems.isEmpty()) {
                out.println();
                out.println("Problems (" + problems.size() + "):");
                for (PluginProblem p : problems) {
                    // most messages name their plugin or path already: say it once
                    out.println("  ✘ " + (p.message().contains(p.source()) ? "" : p.source() + ": ") + p.message());
                    if (common.verbose && p.hasDetail()) out.println("      " + p.detail());
                }
            }
        }
        out.flush();
        return problems.isEmpty() ? ExitCodes.HEALTHY : ExitCodes.FAULT;
    }
}
