package dev.reach.core.plugin;

import java.lang.reflect.InvocationTargetException;
import java.util.Objects;

/**
 * Something that kept a plugin, or one of its probes, from loading. Problems are data, listed by
 * {@code reach plugins}; the user never sees a stack trace for them.
 *
 * <pre>{@code
 * PluginProblem.of("net", "plugin 'net' requires reach >=9.0.0; this is 0.1.0")
 * }</pre>
 *
 * @param source  the plugin id when it is known, otherwise the jar or directory the plugin came from
 * @param message one sentence: what went wrong and, where it can say, how to fix it
 * @param detail  the underlying error for {@code --verbose} (type, message, where it was thrown), or empty
 */
public record PluginProblem(String source, String message, String detail) {

    public PluginProblem {
        Objects.requireNonNull(source);
        Objects.requireNonNull(message);
        Objects.requireNonNull(detail);
    }

    public static PluginProblem of(String source, String message) {
        return new PluginProblem(source, message, "");
    }

    public static PluginProblem of(String source, String message, Throwable cause) {
        return new PluginProblem(source, message, cause == null ? "" : describe(cause));
    }

    public boolean hasDetail() {
        return !detail.isEmpty();
    }

    @Override
    public String toString() {
        return message;
    }

    /** The error that matters: reflection and class-initialisation wrappers removed. */
    static Throwable unwrap(Throwable t) {
        Throwable inner = switch (t) {
            case InvocationTargetException e -> e.getCause();
            case ExceptionInInitializerError e -> e.getCause();
            default -> null;
        };
        return inner == null ? t : unwrap(inner);
    }

    /** {@code IllegalStateException: boom}, first line only, for a one-sentence message. */
    static String brief(Throwable t) {
        Throwable e = unwrap(t);
        String msg = e.getMessage() == null ? "" : e.getMessage().strip().lines().findFirst().orElse("");
        if (msg.length() > 200) {
            msg = msg.substring(0, 200) + "…";
        }
        return e.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    }

    /** The cause chain on one line each, with where the root was thrown. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Throwable root = null;
        for (Throwable e = unwrap(t); e != null && e != root; e = e.getCause()) {
            sb.append(sb.isEmpty() ? "" : "\ncaused by ").append(e.getClass().getName());
            if (e.getMessage() != null) {
                sb.append(": ").append(e.getMessage().strip());
            }
            root = e;
        }
        if (root != null && root.getStackTrace().length > 0) {
            sb.append("\n  at ").append(root.getStackTrace()[0]);
        }
        return sb.toString();
    }
}
