package dev.reach.core.plugin;

import java.util.Optional;

/**
 * Thrown instead of defining a plugin's class that would end the process ({@link ExitCalls}): the class does not
 * exist for the plugin, and the plugin is refused with {@link #refusal()}.
 */
final class EndsProcess extends LinkageError {
    private final String plugin;

    /** @param call where and what it calls, as {@link ExitCalls#find} says it */
    EndsProcess(String plugin, String className, String call) {
        super("class " + className + " " + call);
        this.plugin = plugin;
    }

    /** The plugin's refusal, one sentence naming the class and the call. */
    PluginRefused refusal() {
        return PluginRefused.wholePlugin(plugin, "plugin '" + plugin + "': " + getMessage()
                + "; a probe must return its result, not end the process; left out", this);
    }

    /** The refusal of the plugin whose class this is, when it is among the causes of the error. */
    static Optional<EndsProcess> in(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof EndsProcess ends) {
                return Optional.of(ends);
            }
        }
        return Optional.empty();
    }
}
