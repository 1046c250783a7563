package dev.reach.core.plugin;

import org.pf4j.Plugin;
import org.pf4j.PluginFactory;
import org.pf4j.PluginWrapper;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates each plugin's optional {@code org.pf4j.Plugin} class, keeping what goes wrong in it (creating,
 * starting) as a failure to report, where PF4J's own factory logs a stack trace and starts nothing.
 */
final class GuardedPluginFactory implements PluginFactory {
    private final Map<String, Throwable> failures = new ConcurrentHashMap<>();

    @Override
    public Plugin create(PluginWrapper wrapper) {
        String id = wrapper.getPluginId();
        try {
            return new Guarded(id, instantiate(wrapper));
        } catch (Throwable t) {
            failures.put(id, t);
            return new Guarded(id, new Plugin());
        }
    }

    /** What went wrong creating or starting the plugin's class. */
    Optional<Throwable> failure(String pluginId) {
        return Optional.ofNullable(failures.get(pluginId));
    }

    private static Plugin instantiate(PluginWrapper wrapper) throws ReflectiveOperationException {
        String name = wrapper.getDescriptor().getPluginClass();
        Class<?> type = wrapper.getPluginClassLoader().loadClass(name);
        if (!Plugin.class.isAssignableFrom(type)) {
            throw new ClassCastException("plugin.class '" + name + "' does not extend org.pf4j.Plugin");
        }
        try {
            return (Plugin) type.getConstructor(PluginWrapper.class).newInstance(wrapper);
        } catch (NoSuchMethodException e) {
            return (Plugin) type.getConstructor().newInstance();
        }
    }

    private final class Guarded extends Plugin {
        private final String id;
        private final Plugin delegate;

        Guarded(String id, Plugin delegate) {
            this.id = id;
            this.delegate = delegate;
        }

        @Override
        public void start() {
            try {
                delegate.start();
            } catch (Throwable t) {
                failures.putIfAbsent(id, t);
            }
        }

        @Override
        public void stop() {
            try {
                delegate.stop();
            } catch (Throwable t) {
                log.debug("plugin '{}' failed to stop", id, t);
            }
        }

        @Override
        public void delete() {
            try {
                delegate.delete();
            } catch (Throwable t) {
                log.debug("plugin '{}' failed in delete()", id, t);
            }
        }
    }
}
