package dev.reach.core.plugin;

import dev.reach.core.run.AbandonedThreads;
import dev.reach.core.verdict.CauseCatalog;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeSpec;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Loads probe plugins with PF4J, one path at a time, so that a broken plugin (or a broken probe in
 * one) becomes a {@link PluginProblem} while the others still load. Each plugin gets its own class loader
 * that looks in the plugin first: plugins can bundle different versions of one library.
 *
 * <pre>{@code
 * try (PluginLoader loader = PluginLoader.builder("0.1.0")
 *         .directory(home.resolve("plugins"))
 *         .pathList(System.getenv("REACH_PLUGINS"))
 *         .build()) {
 *     PluginLoader.Result r = loader.load();
 *     r.problems().forEach(p -> System.err.println(p.message()));
 *     r.registry().find("tcp.connect");
 * }
 * }</pre>
 *
 * <p>Probes keep working only while the loader is open: keep it for the life of the process.
 */
public final class PluginLoader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginLoader.class);

    private final List<Path> directories;
    /** The directories of the plugins reach ships: their probe ids cannot be taken by another plugin. */
    private final List<Path> builtIn;
    private final boolean development;
    private final List<Probe> embedded;
    private final AbandonedThreads abandoned;
    private final Duration callLimit;
    /** The one probe the run needs (null: all): with a valid {@link ProbeIndex}, only its built-in plugin loads. */
    private final String only;
    private final ReachPluginManager manager;
    private Result result;

    /**
     * What loading gave.
     *
     * @param registry the probes that loaded, by id
     * @param plugins  the plugins that loaded and started, in load order
     * @param problems what kept plugins or probes from loading, in the order met
     * @param causes   the cause codes the plugins add ({@link CauseCatalog#PLUGIN_RESOURCE}), in load order;
     *                 not yet checked against the catalogue ({@link CauseCatalog#with})
     */
    public record Result(ProbeRegistry registry, List<LoadedPlugin> plugins, List<PluginProblem> problems,
                         List<CauseCatalog.Cause> causes) {
        public Result {
            Objects.requireNonNull(registry);
            plugins = List.copyOf(plugins);
            problems = List.copyOf(problems);
            causes = List.copyOf(causes);
        }
    }

    private PluginLoader(Builder b) {
        this.directories = List.copyOf(b.directories);
        this.builtIn = List.copyOf(b.builtIn);
        this.development = b.development;
        this.embedded = List.copyOf(b.embedded);
        this.abandoned = b.abandoned;
        this.callLimit = b.callLimit;
        this.only = b.only;
        this.manager = new ReachPluginManager(b.development, b.engineVersion);
    }

    /** @param engineVersion this engine's version, which plugins' Plugin-Requires are checked against */
    public static Builder builder(String engineVersion) {
        return new Builder(engineVersion);
    }

    /** Loads everything once; later calls return the same result. */
    public synchronized Result load() {
        if (result == null) {
            result = loadAll();
        }
        return result;
    }

    /** The threads of probes that did not finish constructing, or did not return their spec, in time, while they still run. */
    public AbandonedThreads abandoned() {
        return abandoned;
    }

    /** Stops the plugins and closes their class loaders: their probes must not be used after this. */
    @Override
    public synchronized void close() {
        // not stopPlugins(): in PF4J 3.15 it throws ConcurrentModificationException (pf4j#656); unloading stops each
        manager.unloadPlugins();
    }

    private Result loadAll() {
        List<PluginProblem> problems = new ArrayList<>();
        ProbeRegistry.Builder probes = ProbeRegistry.builder();
        embedded.forEach(probes::add);

        List<String> loadOrder = new ArrayList<>();
        java.util.Set<String> shipped = new java.util.HashSet<>();
        // one probe whose built-in jar the index names: that jar, and the plugins of the other directories (few or none;
        // what is wrong with them is still said on every run), not the other built-in ones
        Optional<ProbeIndex.Hit> onlyJar = only == null || development || !embedded.isEmpty() ? Optional.empty()
                : ProbeIndex.find(builtIn, only);
        boolean everything = onlyJar.isEmpty();
        List<Path> paths = new ArrayList<>();
        onlyJar.ifPresent(hit -> paths.add(hit.jar()));
        paths.addAll(PluginPaths.find(everything ? directories : directories.stream().filter(d -> !builtIn.contains(d)).toList(),
                development, problems));
        for (Path path : paths) {
            try {
                String id = manager.load(path);
                loadOrder.add(id);
                if (builtIn.stream().anyMatch(path::startsWith)) {
                    shipped.add(id);
                }
                log.debug("loaded plugin '{}' from {}", id, path);
            } catch (PluginRefused e) {
                problems.add(e.toProblem());
            } catch (Throwable t) {
                problems.add(PluginProblem.of(path.toString(), "'" + path + "' could not be loaded as a plugin: "
                        + PluginProblem.brief(t), t));
            }
        }
        problems.addAll(manager.resolve());
        PluginCalls calls = new PluginCalls(callLimit, abandoned);
        problems.addAll(manager.start(calls));

        // in load order: PF4J starts them in dependency order, and problems should read as the user listed plugins
        List<PluginWrapper> started = loadOrder.stream().map(manager::getPlugin)
                .filter(p -> p != null && p.getPluginState().isStarted()).toList();
        for (PluginWrapper plugin : started) {
            try {
                // the one probe the index names, when this is its jar: its plugin's other probes are not created
                String onlyClass = onlyJar.filter(hit -> hit.jar().equals(plugin.getPluginPath())).map(ProbeIndex.Hit::className).orElse(null);
                addProbes(plugin, shipped.contains(plugin.getPluginId()), onlyClass, probes, problems, calls);
            } catch (PluginRefused e) {
                problems.add(e.toProblem());
                manager.unload(plugin.getPluginId());
            }
        }
        ProbeRegistry registry = probes.build();
        problems.addAll(probes.problems());

        List<LoadedPlugin> plugins = new ArrayList<>();
        List<CauseCatalog.Cause> causes = new ArrayList<>();
        for (PluginWrapper p : started) {
            if (manager.getPlugin(p.getPluginId()) != null) {
                var d = p.getDescriptor();
                List<String> ids = registry.ids().stream()
                        .filter(id -> registry.pluginOf(id).orElseThrow().equals(p.getPluginId())).toList();
                List<CauseCatalog.Cause> own = causesOf(p, problems);
                causes.addAll(own);
                plugins.add(new LoadedPlugin(d.getPluginId(), d.getVersion(), d.getProvider(),
                        d.getPluginDescription(), p.getPluginPath(), ids, own.stream().map(CauseCatalog.Cause::code).toList()));
            }
        }
        if (everything && !development) {
            ProbeIndex.writeAll(builtIn, plugins, registry);
        }
        return new Result(registry, plugins, problems, causes);
    }

    /** The causes the plugin's own reach-causes.tsv declares (looked up in the plugin alone, not its parents). */
    private static List<CauseCatalog.Cause> causesOf(PluginWrapper plugin, List<PluginProblem> problems) {
        if (!(plugin.getPluginClassLoader() instanceof URLClassLoader loader)) {
            return List.of();
        }
        URL table = loader.findResource(CauseCatalog.PLUGIN_RESOURCE);
        if (table == null) {
            return List.of();
        }
        String id = plugin.getPluginId();
        List<String> said = new ArrayList<>();
        List<CauseCatalog.Cause> own;
        try (InputStream in = table.openStream()) {
            own = CauseCatalog.parsePlugin(id, new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList(), said);
        } catch (IOException e) {
            problems.add(PluginProblem.of(id, "plugin '" + id + "': cannot read its " + CauseCatalog.PLUGIN_RESOURCE + ": "
                    + PluginProblem.brief(e), e));
            return List.of();
        }
        said.forEach(m -> problems.add(PluginProblem.of(id, "plugin '" + id + "': " + m)));
        return own;
    }

    /**
     * Creates each probe the plugin's index names, its constructor and spec() under the {@link PluginCalls} deadline; a
     * plugin-wide fault throws (and none of its probes is registered), a faulty probe is a problem.
     */
    private void addProbes(PluginWrapper plugin, boolean builtIn, String onlyClass, ProbeRegistry.Builder probes,
                           List<PluginProblem> problems, PluginCalls calls) {
        String id = plugin.getPluginId();
        ProbeClasses classes = new ProbeClasses(id, plugin.getPluginClassLoader());
        var spi = classes.bundledSpi();
        if (spi.isPresent()) {
            throw spi.get();
        }
        classes.bundledSlf4j().ifPresent(problems::add);
        List<String> names = classes.hasOwnIndex()
                ? manager.getExtensionClassNames(id).stream().sorted().toList()
                : List.of();
        if (onlyClass != null && names.contains(onlyClass)) {
            names = List.of(onlyClass);
        }
        int own = 0;                                // index lines naming a class of this plugin
        List<PluginCalls.Call<Made>> making = new ArrayList<>();
        List<String> makingNames = new ArrayList<>();     // the class of each call, in the same order
        List<PluginProblem> refused = new ArrayList<>();
        for (String name : names) {
            try {
                var type = classes.load(name);
                if (type.isPresent()) {
                    making.add(new PluginCalls.Call<>("plugin '" + id + "', probe class " + name, stage -> {
                        Probe probe = classes.create(type.get());
                        stage.reached(1);
                        try {
                            return new Made(probe, probe.spec(), null);
                        } catch (Throwable t) {
                            return new Made(probe, null, t);
                        }
                    }));
                    makingNames.add(name);
                    own++;
                }
            } catch (PluginRefused e) {
                if (e.wholePlugin()) {
                    throw e;
                }
                refused.add(e.toProblem());
                own++;
            }
        }
        // every constructor and spec() of the plugin in one batch, each under the deadline
        List<PluginCalls.Outcome<Made>> made = calls.callAll(making);
        List<Made> created = new ArrayList<>();
        for (int i = 0; i < made.size(); i++) {
            var outcome = made.get(i);
            String name = makingNames.get(i);
            if (outcome.timedOut() && outcome.stage() == 1) {       // constructed: spec() did not return
                created.add(new Made(null, null, new PluginRefused(id, missed(id, name, "did not return from spec()", calls))));
            } else if (outcome.timedOut()) {
                refused.add(new PluginRefused(id, missed(id, name, "did not finish constructing", calls)).toProblem());
            } else if (outcome.failure() instanceof PluginRefused e) {
                if (e.wholePlugin()) {
                    throw e;
                }
                refused.add(e.toProblem());
            } else if (outcome.failure() != null) {  // create() says what went wrong as a PluginRefused: a bug here
                refused.add(PluginProblem.of(id, "probe class '" + name + "' in plugin '" + id + "' cannot be created: "
                        + PluginProblem.brief(outcome.failure()), outcome.failure()));
            } else {
                created.add(outcome.value());
            }
        }
        problems.addAll(refused);
        for (Made m : created) {
            if (m.probe() != null) {
                probes.add(m.probe(), m::spec, id, plugin.getPluginPath(), builtIn);
            } else {
                problems.add(((PluginRefused) m.specFailure()).toProblem());
            }
        }
        if (own == 0) {
            problems.add(PluginProblem.of(id, "plugin '" + id + "' declares no probes: its " + ProbeClasses.INDEX
                    + " is missing or empty (is pf4j in the compiler's annotationProcessorPaths?)"));
        }
    }

    /** {@code plugin 'x': its probe class Y did not finish constructing within 2s; left out}. */
    private static String missed(String plugin, String className, String missed, PluginCalls calls) {
        return "plugin '" + plugin + "': its probe class " + className + " " + missed + " within " + calls.limitText() + "; left out";
    }

    /** A probe as its plugin's batch made it: the probe and its spec, or what its spec() threw. */
    private record Made(Probe probe, ProbeSpec spec0, Throwable specFailure) {
        ProbeSpec spec() throws Exception {
            switch (specFailure) {
                case null -> {
                    return spec0;
                }
                case Exception e -> throw e;
                case Error e -> throw e;
                default -> throw new ExecutionException(specFailure);
            }
        }
    }

    /** The plugin directories, in the order they are searched, and what else to register. */
    public static final class Builder {
        private final String engineVersion;
        private final List<Path> directories = new ArrayList<>();
        private final List<Path> builtIn = new ArrayList<>();
        private final List<Probe> embedded = new ArrayList<>();
        private boolean development;
        private AbandonedThreads abandoned = new AbandonedThreads();
        private Duration callLimit = PluginCalls.LIMIT;
        private String only;

        private Builder(String engineVersion) {
            this.engineVersion = Objects.requireNonNull(engineVersion);
        }

        /** A directory of plugin jars and PF4J plugin directories (or, in development mode, a source tree). */
        public Builder directory(Path dir) {
            directories.add(Objects.requireNonNull(dir));
            return this;
        }

        /**
         * The directory of the plugins reach ships (the distribution's {@code plugins}, or the source tree in development
         * mode), searched like {@link #directory}: no other plugin can take the id of a probe found here.
         */
        public Builder builtInDirectory(Path dir) {
            directory(dir);
            builtIn.add(dir);
            return this;
        }

        /**
         * Directories from a path list such as the value of {@code REACH_PLUGINS}, separated by
         * {@link File#pathSeparator}; {@code null} or blank adds none, empty entries are skipped.
         */
        public Builder pathList(String value) {
            if (value != null) {
                for (String part : value.split(File.pathSeparator)) {
                    if (!part.isBlank()) {
                        directories.add(Path.of(part.strip()));
                    }
                }
            }
            return this;
        }

        /**
         * Development mode: each directory is a source tree whose subdirectories are Maven modules, loaded
         * from {@code target/classes} (descriptor at {@code target/classes/plugin.properties}) and {@code target/lib}.
         */
        public Builder development(boolean on) {
            development = on;
            return this;
        }

        /**
         * The run needs this one probe: when the built-in directory's index names the jar that registers it, that jar
         * is the only built-in plugin loaded, and that probe the only one of it created (the other directories' plugins
         * load as always); else all load. A load of everything writes that index ({@link ProbeIndex}).
         */
        public Builder only(String probeId) {
            only = probeId;
            return this;
        }

        /** A probe registered directly, as plugin {@link ProbeRegistry#EMBEDDED}. */
        public Builder probe(Probe probe) {
            embedded.add(Objects.requireNonNull(probe));
            return this;
        }

        /** Where to count the threads of probes that hang while they load (by default a registry of the loader's own). */
        public Builder abandoned(AbandonedThreads registry) {
            abandoned = Objects.requireNonNull(registry);
            return this;
        }

        /** How long a probe's constructor, and its spec(), may take; {@link PluginCalls#LIMIT} unless a test says less. */
        Builder callLimit(Duration limit) {
            callLimit = Objects.requireNonNull(limit);
            return this;
        }

        public PluginLoader build() {
            return new PluginLoader(this);
        }
    }
}
