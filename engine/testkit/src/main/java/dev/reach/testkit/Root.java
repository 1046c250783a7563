package dev.reach.testkit;

import dev.reach.core.run.HostPrivileges;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.List;

/**
 * Skips a test, with the reason, when this process cannot build a namespace lab: not root (or lacking the
 * capabilities namespaces need) or a tool missing from PATH.
 *
 * <pre>{@code
 * @BeforeAll
 * static void lab() {
 *     Root.assumeRootWith("ip", "iptables");
 *     lab = Netns.create();
 * }
 * }</pre>
 */
public final class Root {
    private Root() {
    }

    /** Aborts the calling test (JUnit assumption) unless running as root with CAP_SYS_ADMIN, CAP_NET_ADMIN and the tools. */
    public static void assumeRootWith(String... tools) {
        HostPrivileges host = HostPrivileges.current();
        List<String> missing = new ArrayList<>();
        if (!host.root()) {
            missing.add("root (uid 0)");
        }
        for (String cap : List.of("CAP_SYS_ADMIN", "CAP_NET_ADMIN")) {
            if (host.root() && !host.hasCapability(cap)) {
                missing.add(cap + " (a container without it cannot create network namespaces)");
            }
        }
        for (String tool : tools) {
            if (host.tool(tool).isEmpty()) {
                missing.add("'" + tool + "' on PATH");
            }
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: this test builds network namespaces and needs "
                + String.join(", ", missing));
    }
}
