package dev.reach.core.plugin;

/** Why a plugin, or one of its classes, is not loaded; its message is the one sentence shown to the user. */
final class PluginRefused extends RuntimeException {
    private final String source;
    private final boolean wholePlugin;

    PluginRefused(String source, String message) {
        this(source, message, null);
    }

    PluginRefused(String source, String message, Throwable cause) {
        this(source, message, cause, false);
    }

    private PluginRefused(String source, String message, Throwable cause, boolean wholePlugin) {
        super(message, cause, false, false);
        this.source = source;
        this.wholePlugin = wholePlugin;
    }

    /** A refusal of the whole plugin, when it comes from one of its probes: none of its probes is loaded. */
    static PluginRefused wholePlugin(String source, String message, Throwable cause) {
        return new PluginRefused(source, message, cause, true);
    }

    /** Whether none of the plugin's probes may load, rather than only the one it came from. */
    boolean wholePlugin() {
        return wholePlugin;
    }

    PluginProblem toProblem() {
        return PluginProblem.of(source, getMessage(), getCause());
    }
}
