package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.report.Wrap;
import dev.reach.spi.Fact;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code reach probes [ID] [--json]}: every probe's spec, or one probe's in full. Read from the specs, never written twice. */
@Command(name = "probes", mixinStandardHelpOptions = true,
        description = {"List the probes the loaded plugins provide, or show one probe's parameters, facts and examples."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach probes", "  reach probes tcp.connect", "  reach probes --json | jq '.[].id'",
                "  reach probes --markdown     (the README's probe table, written from the specs)"})
public final class ProbesCommand implements Callable<Integer> {
    private final Workbench bench;

    ProbesCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Show this probe in full.")
    String id;

    @Option(names = "--json", description = "Print the specs as JSON.")
    boolean json;

    @Option(names = "--markdown", description = "Print the probe table of the README (id, what it does, needs) from the specs.")
    boolean markdown;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var mode = json || markdown ? null : bench.outputMode(true);   // asked now, read once the engine is loaded
        return bench.withReach(common, reach -> print(reach, out, mode == null ? 0 : mode.width()));
    }

    private int print(Reach reach, PrintWriter out, int width) throws Exception {
        List<Probe> probes = reach.probes().all();
        if (id != null) {
            var one = reach.probes().find(id);
            if (one.isEmpty()) {
                spec.commandLine().getErr().println("reach: " + reach.unknownProbe(id));
                return ExitCodes.USAGE;
            }
            probes = List.of(one.get());
        }
        if (markdown) {
            out.print(markdown(probes.stream().map(Probe::spec).toList()));
        } else if (json) {
            List<Object> specs = new ArrayList<>();
            for (Probe p : probes) specs.add(toJson(p.spec(), reach.probes().pluginOf(p.spec().id()).orElse("")));
            out.println(Reports.json(id != null ? specs.getFirst() : specs));
        } else if (id != null) {
            describe(probes.getFirst().spec(), reach.probes().pluginOf(id).orElse(""), width, out);
        } else if (probes.isEmpty()) {
            Wrap.lines("No probes loaded. Plugins come from the distribution's plugins/ folder, REACH_PLUGINS and --plugins;"
                    + " see 'reach plugins'.", width).forEach(out::println);
        } else {
            out.print(listing(probes.stream().map(Probe::spec).toList(), width));
        }
        out.flush();
        return ExitCodes.HEALTHY;
    }

    /**
     * One probe a line, {@code id  summary  [needs ...]}, the summary wrapped under itself within {@code width}
     * columns, and how to go on.
     */
    static String listing(List<ProbeSpec> specs, int width) {
        int w = specs.stream().mapToInt(s -> s.id().length()).max().orElse(10);
        String hang = " ".repeat(width - w - 2 >= 30 ? w + 2 : 4);
        StringBuilder b = new StringBuilder();
        for (ProbeSpec s : specs) {
            String text = s.summary() + (s.needs().none() ? "" : "  [needs " + s.needs().describe() + "]");
            Wrap.hanging(String.format("%-" + w + "s  ", s.id()), hang, text, width).forEach(l -> b.append(l).append('\n'));
        }
        b.append('\n');
        Wrap.lines("'reach probes ID' shows a probe's parameters; 'reach probe ID NAME=VALUE...' runs it.", width)
                .forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    /** As {@link #describe(ProbeSpec, String, int, PrintWriter)} at 80 columns. */
    public static void describe(ProbeSpec s, String plugin, PrintWriter out) {
        describe(s, plugin, dev.reach.shell.term.OutputMode.DEFAULT_WIDTH, out);
    }

    /** One probe in full, within {@code width} columns: what it does, its parameters, facts, causes and examples. */
    public static void describe(ProbeSpec s, String plugin, int width, PrintWriter out) {
        Wrap.hanging("", "  ", s.id() + " — " + s.summary(), width).forEach(out::println);
        Wrap.hanging("  ", "    ", "plugin: " + plugin + (s.intrusiveness() == dev.reach.spi.Intrusiveness.INTRUSIVE
                ? ", intrusive" : ", safe") + ", needs " + s.needs().describe(), width).forEach(out::println);
        out.println();
        if (!s.about().isEmpty()) {
            Wrap.hanging("  ", "  ", s.about(), width).forEach(out::println);
            out.println();
        }
        out.println("Parameters:");
        if (s.shownParams().isEmpty()) out.println("  (none)");
        for (Param p : s.shownParams()) {
            String usage = p.usage();   // "name=TYPE (notes)  description": the two spaces stay
            int gap = usage.indexOf("  ");
            Wrap.hanging("  " + (gap < 0 ? "" : usage.substring(0, gap + 2)), "      ", gap < 0 ? usage : usage.substring(gap + 2), width)
                    .forEach(out::println);
        }
        out.println();
        out.println("Facts:");
        if (s.facts().isEmpty()) out.println("  (none)");
        String factHang = " ".repeat(width >= 80 ? 26 : 6);   // under the description while it has 54 columns
        for (Fact f : s.facts()) {
            Wrap.hanging(String.format("  %-14s %-8s ", f.name(), f.type()), factHang, f.description(), width).forEach(out::println);
        }
        if (!s.causes().isEmpty()) {
            out.println();
            out.println("Causes it may name:");
            Wrap.hanging("  ", "  ", String.join(", ", s.causes()), width).forEach(out::println);
        }
        if (!s.examples().isEmpty()) {
            out.println();
            out.println("Examples:");
            s.examples().forEach(e -> Wrap.hanging("  ", "      ", e, width).forEach(out::println));
        }
    }

    /**
     * The README's probe table: {@code | `id` | about (or the summary) | needs |}, one row a probe in the order given,
     * under its header. Pipes in the text are escaped for Markdown.
     */
    static String markdown(List<ProbeSpec> specs) {
        StringBuilder b = new StringBuilder("| id | what it does | needs |\n|---|---|---|\n");
        for (ProbeSpec s : specs) {
            String what = s.about().isEmpty() ? s.summary() + "." : s.about();
            b.append("| `").append(s.id()).append("` | ").append(what.replace("|", "\\|")).append(" | ")
                    .append(s.needs().describe().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }

    private static Map<String, Object> toJson(ProbeSpec s, String plugin) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("summary", s.summary());
        m.put("plugin", plugin);
        m.put("intrusive", s.intrusiveness() == dev.reach.spi.Intrusiveness.INTRUSIVE);
        m.put("about", s.about());
        m.put("causes", s.causes());
        m.put("needs", Map.of("root", s.needs().root(), "capabilities", s.needs().capabilities(), "tools", s.needs().tools(),
                "note", s.needs().note()));
        List<Object> params = new ArrayList<>();
        for (Param p : s.shownParams()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("name", p.name());
            pm.put("type", p.type().label());
            pm.put("required", p.isRequired());
            pm.put("default", p.defaultValue().map(ParamType::format).orElse(null));
            pm.put("min", p.min().map(ParamType::format).orElse(null));
            pm.put("max", p.max().map(ParamType::format).orElse(null));
            pm.put("allowed", p.allowed());
            pm.put("description", p.description());
            params.add(pm);
        }
        m.put("params", params);
        m.put("facts", s.facts().stream().map(f -> Map.of("name", f.name(), "type", f.type(), "description", f.description())).toList());
        m.put("examples", s.examples());
        return m;
    }
}
