package dev.reach.shell.command;

import dev.reach.core.run.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * The boolean options of {@code reach probe} by name, which {@link #plainWords} reads itself (the value: which option
     * a name sets); {@code ProbeCommandTest} holds these names to picocli's model of the command, so an option added
     * there and not here fails the build.
     */
    static final Map<String, String> FLAGS = Map.of("--json", "json", "-q", "quiet", "--quiet", "quiet", "--no-history", "no-history",
            "--no-color", "no-color", "-v", "verbose", "--verbose", "verbose");

    /**
     * {@code reach probe ID [NAME=VALUE | FLAG]...} read without picocli, or null when the words need picocli: help, an
     * option with a value, an {@code @file}, {@code --}, a flag given twice, a word that is neither. picocli's model of
     * the command (reflection, a proxy class per annotation type) is about 0.1 s of a fresh start, as long as a small
     * probe takes; this reads the same words into the same fields.
     */
    static ProbeCommand plainWords(Workbench bench, String... args) {
        if (args.length < 2 || !"probe".equals(args[0]) || args[1].startsWith("-") || args[1].startsWith("@")) {
            return null;
        }
        ProbeCommand c = new ProbeCommand(bench);
        c.id = args[1];
        c.common = new CommonOptions();
        c.output = new OutputOptions();
        Set<String> given = new HashSet<>();
        for (int i = 2; i < args.length; i++) {
            String w = args[i];
            String option = FLAGS.get(w);
            if (option == null) {
                if (w.startsWith("-") || w.startsWith("@") || w.indexOf('=') <= 0) return null;
                c.words.add(w);
            } else if (!given.add(option)) {
                return null; // picocli says why an option may not be given twice
            }
        }
        c.output.json = given.contains("json");
        c.output.quiet = given.contains("quiet");
        c.output.noHistory = given.contains("no-history");
        c.common.noColor = given.contains("no-color");
        c.common.verbose = given.contains("verbose");
        return c;
    }

    /** Whether {@code -v} was given (an internal error then prints its stack trace). */
    boolean verbose() {
        return common.verbose;
    }

    @Override
    public Integer call() throws Exception {
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Runs the probe, its report to {@code out}, progress and problems to {@code err}. */
    int run(PrintWriter out, PrintWriter err) throws Exception {
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
