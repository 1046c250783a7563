package dev.reach.spi;

import java.util.List;

/**
 * What a probe needs from the host to run. The engine checks these before calling the probe and marks
 * it {@link Status#SKIPPED} with the reason when they are not met: a probe never fakes a pass.
 *
 * <pre>{@code
 * .needs(Needs.root("CAP_NET_RAW"))                 // root, or the capability
 * .needs(Needs.NOTHING.withTools("nft"))            // an ordinary user with nft on PATH
 * }</pre>
 *
 * @param root         needs uid 0
 * @param capabilities Linux capabilities that would do instead of root, e.g. {@code CAP_NET_RAW}
 * @param tools        commands that must be on PATH, e.g. {@code iptables}
 * @param note         what the checks above cannot say, for people: what works better with more, or a fallback
 *                     ({@code "raw socket: root or CAP_NET_RAW; else the ping command"}); empty when nothing
 */
public record Needs(boolean root, List<String> capabilities, List<String> tools, String note) {

    /** Needs nothing beyond an ordinary user. */
    public static final Needs NOTHING = new Needs(false, List.of(), List.of());

    public Needs {
        capabilities = List.copyOf(capabilities);
        tools = List.copyOf(tools);
        note = note == null ? "" : note.strip();
    }

    /** Without a note. */
    public Needs(boolean root, List<String> capabilities, List<String> tools) {
        this(root, capabilities, tools, "");
    }

    /** Root, or any of the given capabilities. */
    public static Needs root(String... capabilities) {
        return new Needs(true, List.of(capabilities), List.of());
    }

    /** This plus commands on PATH. */
    public Needs withTools(String... more) {
        return new Needs(root, capabilities, java.util.stream.Stream.concat(tools.stream(), java.util.stream.Stream.of(more)).toList(), note);
    }

    /** This with a note for people ({@link #note()}). */
    public Needs withNote(String text) {
        return new Needs(root, capabilities, tools, text);
    }

    /**
     * For people, as help and the README's probe table say it: {@code nothing}, {@code root or CAP_NET_ADMIN, nft},
     * with the note in parentheses: {@code nothing (raw socket: root or CAP_NET_RAW; else the ping command)}.
     */
    public String describe() {
        List<String> parts = new java.util.ArrayList<>();
        if (root) parts.add(capabilities.isEmpty() ? "root" : "root or " + String.join("/", capabilities));
        parts.addAll(tools);
        String what = parts.isEmpty() ? "nothing" : String.join(", ", parts);
        return note.isEmpty() ? what : what + " (" + note + ")";
    }

    public boolean none() {
        return !root && tools.isEmpty();
    }
}
