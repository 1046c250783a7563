package dev.reach.core.plugin;

import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.DependencyResolver;
import org.pf4j.DevelopmentPluginLoader;
import org.pf4j.ExtensionFinder;
import org.pf4j.IndexedExtensionFinder;
import org.pf4j.InvalidPluginDescriptorException;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDependency;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginFactory;
import org.pf4j.PluginState;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * PF4J's manager set up for reach: plugins are loaded one path at a time (no scanning of roots, no
 * {@code pf4j.mode} or {@code pf4j.pluginsDir} system properties, no enabled.txt/disabled.txt), and each way a
 * plugin can fail is checked here first, so it becomes a {@link PluginProblem} rather than a logged stack trace.
 */
final class ReachPluginManager extends DefaultPluginManager {
    private final boolean development;
    private final GuardedPluginFactory factory;

    ReachPluginManager(boolean development, String engineVersion) {
        // set before super(): PF4J calls the create* methods below from its constructor
        this.development = development;
        this.factory = new GuardedPluginFactory();
        super(List.of());
        setSystemVersion(engineVersion);
        // a plugin whose dependencies are missing is dropped, not a reason to stop loading the others
        setResolveRecoveryStrategy(ResolveRecoveryStrategy.IGNORE_PLUGIN_AND_CONTINUE);
    }

    @Override
    public RuntimeMode getRuntimeMode() {
        return development ? RuntimeMode.DEVELOPMENT : RuntimeMode.DEPLOYMENT;
    }

    @Override
    protected List<Path> createPluginsRoot() {
        return List.of();
    }

    /**
     * Each plugin's own index only: PF4J's finder also reads every {@code META-INF/extensions.idx} on the application's
     * class path (reach's jars have none; asking each of them cost about 10 ms of every start).
     */
    @Override
    protected ExtensionFinder createExtensionFinder() {
        IndexedExtensionFinder finder = new IndexedExtensionFinder(this) {
            @Override
            public Map<String, Set<String>> readClasspathStorages() {
                return Map.of();
            }
        };
        addPluginStateListener(finder);
        return finder;
    }

    @Override
    protected PluginDescriptorFinder createPluginDescriptorFinder() {
        return new DescriptorFinder(development);
    }

    @Override
    protected PluginFactory createPluginFactory() {
        return factory;
    }

    /** PF4J's loaders (module, jar, plugin directory), each making a {@link GuardedClassLoader}. */
    @Override
    protected org.pf4j.PluginLoader createPluginLoader() {
        ClassLoader parent = ReachPluginManager.class.getClassLoader();
        return new CompoundPluginLoader()
                .add(new DevelopmentPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor d) {
                        return new GuardedClassLoader(pluginManager, d, parent);
                    }
                }, this::isDevelopment)
                .add(new JarPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor d) {
                        return new GuardedClassLoader(pluginManager, d, parent);
                    }
                }, this::isNotDevelopment)
                .add(new DefaultPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor d) {
                        return new GuardedClassLoader(pluginManager, d, parent);
                    }
                }, this::isNotDevelopment);
    }

    @Override
    protected PluginStatusProvider createPluginStatusProvider() {
        return new PluginStatusProvider() {
            @Override public boolean isPluginDisabled(String pluginId) { return false; }
            @Override public void disablePlugin(String pluginId) {}
            @Override public void enablePlugin(String pluginId) {}
        };
    }

    /**
     * Loads one plugin, unresolved and not started.
     *
     * @return its id
     * @throws PluginRefused when its descriptor is missing or invalid, its id is taken, or it needs a newer engine
     */
    String load(Path path) {
        PluginDescriptor d = getPluginDescriptorFinder().find(path);
        try {
            validatePluginDescriptor(d);
        } catch (InvalidPluginDescriptorException e) {
            String why = e.getMessage().substring(0, 1).toLowerCase(Locale.ROOT) + e.getMessage().substring(1);
            var field = java.util.regex.Pattern.compile("field '(\\w+)' cannot be empty").matcher(why);
            if (field.find()) {                 // say which key: a misspelt one (plugin.Id) reads as a missing one
                String f = field.group(1);
                why += " (plugin.properties: plugin." + f + "; or META-INF/MANIFEST.MF: Plugin-" + Character.toUpperCase(f.charAt(0))
                        + f.substring(1) + "; both spelt exactly so)";
            }
            throw new PluginRefused(path.toString(), "'" + path + "' has an invalid plugin descriptor: " + why);
        }
        String id = d.getPluginId();
        PluginWrapper same = getPlugin(id);
        if (same != null) {
            throw new PluginRefused(id, "plugin id '" + id + "' of '" + path + "' is already taken by '"
                    + same.getPluginPath() + "'; remove one");
        }
        checkRequires(id, d.getRequires());
        return loadPluginFromPath(path).getPluginId();
    }

    /** Plugin-Requires, checked as PF4J would (an exact x.y.z means at least x.y.z), but with a sentence. */
    private void checkRequires(String id, String requires) {
        String constraint = requires == null ? "" : requires.trim();
        if (!isExactVersionAllowed() && constraint.matches("\\d+\\.\\d+\\.\\d+")) {
            constraint = ">=" + constraint;
        }
        boolean ok;
        try {
            ok = getVersionManager().checkVersionConstraint(getSystemVersion(), constraint);
        } catch (RuntimeException e) {
            throw new PluginRefused(id, "plugin '" + id + "' has an invalid Plugin-Requires '" + requires + "': "
                    + PluginProblem.brief(e), e);
        }
        if (!ok) {
            throw new PluginRefused(id, "plugin '" + id + "' requires reach " + constraint + "; this is " + getSystemVersion());
        }
    }

    /** Resolves the loaded plugins; those that cannot be (missing dependency, cycle) are unloaded and returned as problems. */
    List<PluginProblem> resolve() {
        List<PluginWrapper> loaded = getPlugins();
        List<PluginProblem> problems = new ArrayList<>();
        try {
            resolvePlugins();
        } catch (DependencyResolver.CyclicDependencyException e) {
            // PF4J does not say which plugins form the cycle: only those with dependencies can be in it
            for (PluginWrapper w : List.copyOf(getUnresolvedPlugins())) {
                if (!w.getDescriptor().getDependencies().isEmpty()) {
                    problems.add(PluginProblem.of(w.getPluginId(), "plugin '" + w.getPluginId()
                            + "' may be part of a dependency cycle (it needs " + w.getDescriptor().getDependencies() + ")", e));
                    unloadPlugin(w.getPluginId(), false, false);
                }
            }
            resolvePlugins();
        }
        for (PluginWrapper w : loaded) {
            boolean reported = problems.stream().anyMatch(p -> p.source().equals(w.getPluginId()));
            if (getPlugin(w.getPluginId()) == null && !reported) {
                List<String> needs = w.getDescriptor().getDependencies().stream()
                        .filter(dep -> !dep.isOptional()).map(ReachPluginManager::label).toList();
                problems.add(PluginProblem.of(w.getPluginId(), "plugin '" + w.getPluginId() + "' needs "
                        + String.join(", ", needs) + ", which is missing, the wrong version or not loadable"));
            }
        }
        return problems;
    }

    /**
     * Starts the resolved plugins, in dependency order, each (its {@code org.pf4j.Plugin}'s constructor and
     * {@code start()}) under the deadline of {@code calls}; those that fail to, or hang, are unloaded and returned as
     * problems.
     */
    List<PluginProblem> start(PluginCalls calls) {
        List<PluginWrapper> resolved = List.copyOf(getResolvedPlugins());
        var outcomes = calls.callAll(resolved.stream().map(w -> new PluginCalls.Call<PluginState>(
                "plugin '" + w.getPluginId() + "', start()", stage -> startPlugin(w.getPluginId()))).toList());
        List<PluginProblem> problems = new ArrayList<>();
        for (int i = 0; i < resolved.size(); i++) {
            PluginWrapper w = resolved.get(i);
            String id = w.getPluginId();
            var outcome = outcomes.get(i);
            if (outcome.timedOut()) {           // never STARTED: unloading it calls nothing of it
                problems.add(PluginProblem.of(id, "plugin '" + id + "' did not finish starting within " + calls.limitText()
                        + "; left out"));
                unload(id);
                continue;
            }
            var failure = factory.failure(id).or(() -> Optional.ofNullable(outcome.failure()));
            if (failure.isPresent() || w.getPluginState() != PluginState.STARTED) {
                String why = failure.map(PluginProblem::brief).orElse("it is " + w.getPluginState());
                problems.add(PluginProblem.of(id, "plugin '" + id + "' failed to start: " + why, failure.orElse(null)));
                unload(id);
            }
        }
        return problems;
    }

    /** Stops and forgets a plugin, closing its class loader. */
    void unload(String id) {
        unloadPlugin(id, false);
    }

    private static String label(PluginDependency dep) {
        String v = dep.getPluginVersionSupport();
        return "'" + dep.getPluginId() + "'" + (v == null || v.equals("*") ? "" : " " + v);
    }
}
