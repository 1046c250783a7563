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
 */
public record Needs(boolean root, List<String> capabilities, List<String> tools) {

    /** Needs nothing beyond an ordinary user. */
    public static final Needs NOTHING = new Needs(false, List.of(), List.of());

    public Needs {
        capabilities = List.copyOf(capabilities);
        tools = List.copyOf(tools);
    }

    /** Root, or any of the given capabilities. */
    public static Needs root(String... capabilities) {
        return new Needs(true, List.of(capabilities), List.of());
    }

    /** This plus commands on PATH. */
    public Needs withTools(String... more) {
        return new Needs(root, capabilities, java.util.stream.Stream.concat(tools.stream(), java.util.stream.Stream.of(more)).toList());
    }

    public boolean none() {
        return !root && tools.isEmpty();
    }
}
