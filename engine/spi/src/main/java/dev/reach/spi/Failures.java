package dev.reach.spi;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What went wrong, in the words a summary or an evidence line needs: an exception's message without the Java class
 * names the JDK writes into it, or, where it has no message, what its kind means. Never {@code e.toString()}.
 *
 * <pre>{@code
 * catch (IOException e) {
 *     return Observation.error("talking to " + target + " failed: " + Failures.text(e)).build();
 * }
 * // "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid
 * //  certification path to requested target" -> "no chain of certificates leads from it to a trusted CA"
 * // a ConnectException without a message -> "the connection failed"
 * }</pre>
 */
public final class Failures {
    /** {@code java.net.ConnectException: }, {@code SSLHandshakeException: }: a class name where words should be. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");
    private static final String NO_TRUST_PATH = "unable to find valid certification path to requested target";
    /**
     * An object the JDK (25) puts in a message for an address it withholds (jdk.includeInExceptions), rendered with
     * the default toString: {@code jdk.internal.util.Exceptions$NonSocketInfo@1b6d3586}.
     */
    private static final Pattern WITHHELD = Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)*Exceptions\\$\\w+Info@[0-9a-f]+");
    private static final Map<String, String> KINDS = Map.of(
            "ConnectException", "the connection failed",
            "SocketTimeoutException", "timed out",
            "HttpTimeoutException", "timed out",
            "TimeoutException", "timed out",
            "ClosedChannelException", "the connection was closed",
            "AsynchronousCloseException", "the connection was closed",
            "EOFException", "the connection closed before the answer was complete",
            "UnknownHostException", "the name did not resolve",
            "ClosedByInterruptException", "interrupted",
            "InterruptedException", "interrupted");

    private Failures() {
    }

    /**
     * {@code e} as words: its message (or the first one in its causes) without class names, else what its kind (or
     * its cause's) means.
     */
    public static String text(Throwable e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : e instanceof NoSuchFileException ? "no such file"
                    : e instanceof AccessDeniedException ? "permission denied" : "cannot be read");
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String said = t.getMessage() == null ? ""
                    : CLASS_NAME.matcher(WITHHELD.matcher(t.getMessage()).replaceAll("the address")).replaceAll("").strip();
            if (!said.isEmpty()) {
                return said.contains(NO_TRUST_PATH) ? "no chain of certificates leads from it to a trusted CA" : said;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String meaning = KINDS.get(t.getClass().getSimpleName());
            if (meaning != null) return meaning;
        }
        return "unexpected " + e.getClass().getSimpleName().replaceAll("(Exception|Error)$", "")
                .replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT) + " error";
    }
}
