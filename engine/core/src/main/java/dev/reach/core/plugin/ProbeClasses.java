package dev.reach.core.plugin;

import dev.reach.spi.Probe;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URLClassLoader;
import java.util.Optional;

/**
 * Turns the class names in a plugin's extension index into probe instances, each failure a sentence
 * ({@link PluginRefused}) naming the class and the plugin. Loading and constructing are done here rather
 * than by PF4J's extension factory, which logs and skips what it cannot create.
 */
final class ProbeClasses {
    /** Where PF4J's annotation processor writes the extension index. */
    static final String INDEX = "META-INF/extensions.idx";

    private final String plugin;
    private final ClassLoader loader;

    ProbeClasses(String plugin, ClassLoader loader) {
        this.plugin = plugin;
        this.loader = loader;
    }

    /**
     * Whether the plugin has an index of its own. PF4J reads the index through the plugin's class loader,
     * which falls back to the application's class path: without this check a plugin with no index
     * would seem to declare the application's extensions.
     */
    boolean hasOwnIndex() {
        return !(loader instanceof URLClassLoader u) || u.findResource(INDEX) != null;
    }

    /** Why the plugin cannot share probes with the engine, when it bundles its own copy of the SPI. */
    Optional<PluginRefused> bundledSpi() {
        return copyOf(Probe.class).map(c -> new PluginRefused(plugin,
                "plugin '" + plugin + "' bundles its own copy of reach-spi; declare it <scope>provided</scope>"));
    }

    /** A bundled slf4j-api is not fatal, but the plugin's log lines go nowhere. */
    Optional<PluginProblem> bundledSlf4j() {
        return copyOf(org.slf4j.Logger.class).map(c -> PluginProblem.of(plugin, "plugin '" + plugin
                + "' bundles its own copy of slf4j-api, so its log lines are lost; declare it <scope>provided</scope>"));
    }

    /** Loads a class named in the index, or empty when it comes from the application rather than the plugin. */
    Optional<Class<?>> load(String name) {
        Class<?> type;
        try {
            type = Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw refused("plugin '" + plugin + "' lists '" + name + "' in " + INDEX
                    + ", but has no such class; rebuild the plugin", e);
        } catch (EndsProcess e) {
            throw e.refusal();
        } catch (LinkageError e) {
            throw refused(where(name) + " cannot be loaded: " + linkage(e), e);
        }
        return type.getClassLoader() == loader ? Optional.of(type) : Optional.empty();
    }

    /** A new instance of a class from {@link #load}, made with its no-argument constructor. */
    Probe create(Class<?> type) {
        String name = type.getName();
        if (!Probe.class.isAssignableFrom(type)) {
            if (implementsForeignProbe(type)) {
                throw refused("plugin '" + plugin + "' bundles its own copy of reach-spi; declare it <scope>provided</scope>", null);
            }
            throw refused(where(name) + " is listed in " + INDEX + " but does not implement " + Probe.class.getName(), null);
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw refused(where(name) + " is abstract; only concrete classes can be probes", null);
        }
        Constructor<?> constructor;
        try {
            constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw refused(where(name) + " needs a public no-argument constructor", e);
        } catch (LinkageError | RuntimeException e) {
            throw EndsProcess.in(e).map(EndsProcess::refusal)
                    .orElseGet(() -> refused(where(name) + " cannot be loaded: " + linkage(e), e));
        }
        try {
            return (Probe) constructor.newInstance();
        } catch (Throwable e) {
            throw EndsProcess.in(e).map(EndsProcess::refusal).orElseGet(() -> creating(name, e));
        }
    }

    /** Why constructing the probe failed. */
    private PluginRefused creating(String name, Throwable failure) {
        return switch (failure) {
            case InvocationTargetException e -> refused(where(name) + " failed in its constructor: " + linkage(e), e);
            case ExceptionInInitializerError e -> refused(where(name) + " failed to initialise: " + linkage(e), e);
            default -> refused(where(name) + " cannot be created: " + linkage(failure), failure);
        };
    }

    private String where(String className) {
        return "probe class '" + className + "' in plugin '" + plugin + "'";
    }

    private PluginRefused refused(String message, Throwable cause) {
        return new PluginRefused(plugin, message, cause);
    }

    private Optional<Class<?>> copyOf(Class<?> shared) {
        try {
            Class<?> seen = Class.forName(shared.getName(), false, loader);
            return seen == shared ? Optional.empty() : Optional.of(seen);
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static boolean implementsForeignProbe(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(Probe.class.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A missing class reads as a missing dependency, anything else as itself. */
    private static String linkage(Throwable e) {
        Throwable t = PluginProblem.unwrap(e);
        if (t instanceof NoClassDefFoundError && t.getMessage() != null) {
            return "it needs class '" + t.getMessage().replace('/', '.')
                    + "', which neither the plugin nor reach provides";
        }
        return PluginProblem.brief(t);
    }
}
