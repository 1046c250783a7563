package dev.reach.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What this host lets the current process do, so a probe can choose a method (raw socket, system tool).
 *
 * <pre>{@code
 * if (ctx.privileges().root() || ctx.privileges().hasCapability("CAP_NET_RAW")) { ... a raw socket ... }
 * else if (ctx.privileges().tool("ping").isPresent()) { ... the system ping, parsed ... }
 * }</pre>
 */
public interface Privileges {
    /** Running as uid 0. */
    boolean root();

    /** The effective capability set holds it, e.g. {@code CAP_NET_RAW}. */
    boolean hasCapability(String capability);

    /** The executable of that name on PATH. */
    Optional<Path> tool(String name);
}
