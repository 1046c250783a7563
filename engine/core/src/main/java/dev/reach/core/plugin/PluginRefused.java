package dev.reach.core.plugin;

/** Why a plugin, or one of its classes, is not loaded; its message is the one sentence shown to the user. */
final class PluginRefused extends RuntimeException {
    private final String source;

    PluginRefused(String source, String message) {
        this(source, message, null);
    }

    PluginRefused(String source, String message, Throwable cause) {
        super(message, cause, false, false);
        this.source = source;
    }

    PluginProblem toProblem() {
        return PluginProblem.of(source, getMessage(), getCause());
    }
}
