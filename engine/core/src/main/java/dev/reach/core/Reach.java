package dev.reach.core;

import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.playbook.PlaybookLoader;
import dev.reach.core.playbook.PlaybookSchema;
import dev.reach.core.playbook.PlaybookValidator;
import dev.reach.core.playbook.Step;
import dev.reach.core.plugin.LoadedPlugin;
import dev.reach.core.plugin.PluginLoader;
import dev.reach.core.plugin.PluginProblem;
import dev.reach.core.plugin.ProbeRegistry;
import dev.reach.core.run.AbandonedThreads;
import dev.reach.core.run.EvalResult;
import dev.reach.core.run.HostPrivileges;
import dev.reach.core.playbook.ParamBinder;
import dev.reach.core.run.ProbeInvoker;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.Runner;
import dev.reach.core.run.UsageException;
import dev.reach.core.script.JsExpressions;
import dev.reach.core.script.JsPlaybooks;
import dev.reach.core.script.ScriptEngine;
import dev.reach.core.verdict.CauseCatalog;
import dev.reach.core.run.Verdicts;
import dev.reach.spi.Probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The front door for embedders: build once (plugins load, the script engine starts in the background),
 * then load playbooks and run them, or run single probes. Thread-safe; close it when done.
 *
 * <pre>{@code
 * try (Reach reach = Reach.builder().pluginDirectory(Path.of("plugins")).build()) {
 *     Playbook pb = reach.load(Path.of("playbooks/connect.yaml"));
 *     RunResult r = reach.run(pb, Map.of("host", "127.0.0.1", "port", 5432), RunOptions.defaults());
 *     System.out.println(r.verdict().cause());
 * }
 * }</pre>
 */
public final class Reach implements AutoCloseable {
    private static final Properties VERSION = versionProperties();

    private final PluginLoader loader;
    private final PluginLoader.Result plugins;
    private final CauseCatalog causes;
    private final ScriptEngine scripts;
    private final JsExpressions expressions;
    private final JsPlaybooks jsPlaybooks;
    private final Runner runner;
    /** Probes whose {@link Probe#prepare()} has been asked for. */
    private final Set<String> prepared = ConcurrentHashMap.newKeySet();
    private final Map<Path, Loaded> loaded = new ConcurrentHashMap<>();
    /** Folders of installed playbooks: includes by bare name resolve there. */
    private final List<Path> library;
    /** Probe threads still running after reach gave up on them, at their step's deadline or while loading. */
    private final AbandonedThreads abandoned = new AbandonedThreads();

    private Reach(Builder b) {
        this.library = List.copyOf(b.playbookDirectories);
        PluginLoader.Builder lb = PluginLoader.builder(engineVersion()).development(b.development).abandoned(abandoned);
        b.directories.forEach(dir -> {
            if (b.builtIn.contains(dir)) lb.builtInDirectory(dir);
            else lb.directory(dir);
        });
        if (b.pathList != null) lb.pathList(b.pathList);
        b.probes.forEach(lb::probe);
        lb.only(b.only);
        this.loader = lb.build();
        this.scripts = new ScriptEngine();
        switch (System.getProperty("reach.scripts", b.warmScripts ? "background" : "lazy")) {
            case "eager" -> scripts.get(); // for measuring: the engine's cold start on the critical path
            case "lazy" -> { } // started by the first expression or JS playbook that needs it
            default -> scripts.warmUp(); // overlaps the engine's cold start with plugin loading and the first probes
        }
        PluginLoader.Result loaded = loader.load();
        List<PluginProblem> refused = new ArrayList<>();
        Set<String> refusedCodes = new java.util.HashSet<>();   // plugin + TAB + code
        this.causes = CauseCatalog.load().with(loaded.causes(), // plugins add codes, never change one
                (cause, why) -> {
                    refused.add(PluginProblem.of(cause.plugin(), why));
                    refusedCodes.add(cause.plugin() + "\t" + cause.code());
                });
        if (!refused.isEmpty()) {
            List<PluginProblem> problems = new ArrayList<>(loaded.problems());
            problems.addAll(refused);
            // a plugin lists only the codes it did add: a refused one is a problem, not one of its codes
            List<LoadedPlugin> plugins = loaded.plugins().stream().map(p -> new LoadedPlugin(p.id(), p.version(), p.provider(),
                    p.description(), p.path(), p.probeIds(),
                    p.causeCodes().stream().filter(c -> !refusedCodes.contains(p.id() + "\t" + c)).toList())).toList();
            List<CauseCatalog.Cause> added = loaded.causes().stream()
                    .filter(c -> !refusedCodes.contains(c.plugin() + "\t" + c.code())).toList();
            loaded = new PluginLoader.Result(loaded.registry(), plugins, problems, added);
        }
        this.plugins = loaded;
        this.expressions = new JsExpressions(scripts);
        this.jsPlaybooks = new JsPlaybooks(scripts);
        ProbeRegistry registry = plugins.registry();
        this.runner = new Runner(registry::find, new ProbeInvoker(HostPrivileges.current(), abandoned), expressions,
                new Verdicts(code -> causes.find(code).map(CauseCatalog.Cause::fixOrSays)),
                new Runner.Scripts(jsPlaybooks, this::load, registry.ids(), causes.codes()));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The release version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return VERSION.getProperty("version", "dev");
    }

    /** The engine API version that plugins' {@code Plugin-Requires} is checked against. */
    public static String engineVersion() {
        return VERSION.getProperty("engine", "0.0.0");
    }

    public ProbeRegistry probes() {
        return plugins.registry();
    }

    public List<LoadedPlugin> plugins() {
        return plugins.plugins();
    }

    public List<PluginProblem> pluginProblems() {
        return plugins.problems();
    }

    /**
     * What to say of a probe id no loaded plugin provides: the closest id, where the list is, and the plugins that
     * failed to load, whose probes are unknown until they do ({@code unknown probe 'smtp.banner'; did you mean
     * 'tcp.banner'? (see 'reach probes' for the list; 1 plugin failed to load: plugin 'smtp' ...; 'reach plugins' says why)}).
     */
    public String unknownProbe(String id) {
        String closest = ParamBinder.closest(id, probes().ids()).map(c -> "; did you mean '" + c + "'?").orElse("");
        List<PluginProblem> problems = pluginProblems();
        if (problems.isEmpty()) {
            return "unknown probe '" + id + "'" + closest + " (see 'reach probes' for the list)";
        }
        String first = problems.getFirst().message();
        return "unknown probe '" + id + "'" + closest + " (see 'reach probes' for the list; " + problems.size()
                + (problems.size() == 1 ? " plugin problem, which may be why: " : " plugin problems, the first: ")
                + first + "; 'reach plugins' lists " + (problems.size() == 1 ? "it" : "them") + ")";
    }

    /**
     * The probe threads still running after reach gave up on them, oldest first: a probe that ignored the interrupt
     * at its step's deadline (named by its probe id), or one that did not finish constructing, or returning its spec,
     * while plugins loaded. Java cannot stop them; a long-lived process can show them, and end itself when too many
     * pile up. Each drops out of the list when it ends.
     */
    public List<AbandonedThreads.Entry> abandonedProbes() {
        return abandoned.list();
    }

    public CauseCatalog causes() {
        return causes;
    }

    /**
     * The JSON Schema of YAML playbooks for editors ({@code reach schema playbook} prints it): written by
     * {@link PlaybookSchema} from the loader's keys, these probes' specs and this cause catalogue.
     */
    public String playbookSchema() {
        Map<String, String> says = new java.util.LinkedHashMap<>();
        causes.causes().forEach(c -> says.put(c.code(), c.says()));
        return PlaybookSchema.text(PlaybookSchema.of(probes().all().stream().map(Probe::spec).toList(), says));
    }

    /**
     * Loads and validates a playbook, YAML or JavaScript (by the extension: {@code .js}, {@code .mjs});
     * nothing runs. A bare name that is no file here ({@code time}, {@code tls.yaml}) is an installed playbook.
     */
    public Playbook load(Path file) throws PlaybookException {
        file = PlaybookLoader.installed(file, library).orElse(file);
        if (JsPlaybooks.isScript(file)) {
            Playbook pb = jsPlaybooks.load(file);
            JsPlaybooks.checkNames(pb, probes().ids(), causes.codes());
            return pb;
        }
        Path key = file.toAbsolutePath().normalize();
        Loaded known = loaded.get(key);
        if (known != null && known.current()) {
            return known.playbook();    // parsing and checking unreachable.yaml is most of a warm run's time
        }
        Playbook pb = new PlaybookLoader(library).load(file);
        prepare(pb);
        new PlaybookValidator(spec -> probes().find(spec).map(Probe::spec), probes().ids(), causes.codes(), expressions)
                .validate(pb);
        List<FileStamp> files = new ArrayList<>();
        files.add(FileStamp.of(key));
        includedFiles(pb.steps(), files);
        loaded.put(key, new Loaded(pb, List.copyOf(files)));
        return pb;
    }

    /** A YAML playbook this engine loaded and checked, with the files it was read from as they were then. */
    private record Loaded(Playbook playbook, List<FileStamp> files) {
        boolean current() {
            return files.stream().allMatch(FileStamp::current);
        }
    }

    /** A file's modification time and size when read; a file that changed (or went) is not current. */
    private record FileStamp(Path file, java.nio.file.attribute.FileTime modified, long size) {
        static FileStamp of(Path file) {
            try {
                var a = java.nio.file.Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
                return new FileStamp(file, a.lastModifiedTime(), a.size());
            } catch (java.io.IOException e) {
                return new FileStamp(file, null, -1);
            }
        }

        boolean current() {
            return modified != null && equals(of(file));
        }
    }

    private static void includedFiles(List<Step> steps, List<FileStamp> sink) {
        for (Step step : steps) {
            switch (step) {
                case Step.IncludeStep inc -> {
                    sink.add(FileStamp.of(Path.of(inc.playbook().source()).toAbsolutePath().normalize()));
                    includedFiles(inc.playbook().steps(), sink);
                }
                case Step.ParallelStep par -> includedFiles(par.branches(), sink);
                default -> { }
            }
        }
    }

    /** Asks each probe the playbook names to {@link Probe#prepare()}, once per process, on a background thread. */
    private void prepare(Playbook pb) {
        List<Probe> todo = new ArrayList<>();
        probeIds(pb.steps(), id -> {
            if (prepared.add(id)) {
                probes().find(id).ifPresent(todo::add);
            }
        });
        if (!todo.isEmpty()) {
            Thread.ofPlatform().daemon().name("prepare-probes").start(() -> todo.forEach(p -> {
                try {
                    p.prepare();
                } catch (Throwable t) {
                    // best effort: the probe's run does its own set-up
                }
            }));
        }
    }

    private static void probeIds(List<Step> steps, java.util.function.Consumer<String> sink) {
        for (Step step : steps) {
            switch (step) {
                case Step.ProbeStep p -> sink.accept(p.probe());
                case Step.ForEachStep f -> sink.accept(f.body().probe());
                case Step.ParallelStep p -> probeIds(p.branches(), sink);
                case Step.IncludeStep i -> {
                    if (i.playbook() != null) probeIds(i.playbook().steps(), sink);
                }
                case Step.VerdictStep v -> { }
            }
        }
    }

    /** Runs a loaded playbook with raw inputs (strings from --set are fine: they convert by the inputs' types). */
    public RunResult run(Playbook playbook, Map<String, ?> inputs, RunOptions options) throws UsageException {
        return runner.run(playbook, inputs, options);
    }

    /** Runs one probe by id with raw parameters. */
    public RunResult probe(String id, Map<String, ?> params, RunOptions options) throws UsageException {
        Probe probe = probes().find(id).orElseThrow(() -> new UsageException(unknownProbe(id)));
        return runner.runProbe(probe, params, options);
    }

    /**
     * Evaluates a JavaScript snippet in the JS playbooks' sandbox with their host API ({@code probe()},
     * {@code parallel()}, {@code include()}, {@code log()}, {@code sleep()}) and {@code names} (plain data) as
     * globals; the value of its last expression comes back as plain data with the steps its probes ran.
     * See {@link Runner#eval}.
     */
    public EvalResult eval(String source, Map<String, ?> names, RunOptions options) {
        return runner.eval(source, names, options);
    }

    @Override
    public void close() {
        expressions.close();
        scripts.close();
        loader.close();
    }

    private static Properties versionProperties() {
        Properties p = new Properties();
        try (InputStream in = Reach.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // a build without the resource: versions read as "dev"
        }
        return p;
    }

    /** Where plugins come from and what else the engine starts with. */
    public static final class Builder {
        private final List<Path> directories = new ArrayList<>();
        private final Set<Path> builtIn = new java.util.HashSet<>();
        private final List<Path> playbookDirectories = new ArrayList<>();
        private final List<Probe> probes = new ArrayList<>();
        private String pathList;
        private boolean development;
        private boolean warmScripts = true;
        private String only;

        /** A directory of plugin jars (or, in development mode, a source tree of plugin modules). */
        public Builder pluginDirectory(Path dir) {
            directories.add(dir);
            return this;
        }

        /**
         * The directory of the plugins reach ships (or, in development mode, their source tree): a plugin from any other
         * directory cannot take the id of a probe found here, it is refused as a plugin problem instead.
         */
        public Builder builtInPluginDirectory(Path dir) {
            directories.add(dir);
            builtIn.add(dir);
            return this;
        }

        /**
         * A folder of installed playbooks: an {@code include:} that gives a bare name ({@code unreachable.yaml}) and
         * finds no such file beside the including playbook is looked up here.
         */
        public Builder playbookDirectory(Path dir) {
            playbookDirectories.add(dir);
            return this;
        }

        /** Colon-separated directories, as in the REACH_PLUGINS variable; null or empty adds nothing. */
        public Builder pluginPath(String list) {
            pathList = list;
            return this;
        }

        /** Reads plugins from Maven modules' target/classes instead of jars. */
        public Builder development(boolean on) {
            development = on;
            return this;
        }

        /** Registers a probe instance directly, as plugin "embedded". */
        public Builder probe(Probe probe) {
            probes.add(probe);
            return this;
        }

        /**
         * Whether to start the JavaScript engine at once in the background (default) or only when an expression
         * or a JS playbook needs it. The system property {@code reach.scripts} ({@code background}, {@code lazy},
         * or {@code eager}: wait for it here, for benchmarks) overrides this.
         */
        public Builder warmScripts(boolean on) {
            warmScripts = on;
            return this;
        }

        /**
         * This engine runs the one probe {@code probeId} (as {@code reach probe} does): only the built-in plugin that
         * registers it loads, when the built-in directory's index says which (else every plugin, as always).
         */
        public Builder onlyProbe(String probeId) {
            only = probeId;
            return this;
        }

        public Reach build() {
            return new Reach(this);
        }
    }
}
