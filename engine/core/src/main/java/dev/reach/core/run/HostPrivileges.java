package dev.reach.core.run;

import dev.reach.spi.Privileges;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What this Linux process may do, read once from /proc/self/status and PATH. */
public final class HostPrivileges implements Privileges {
    private static final Map<String, Integer> CAPABILITY_BITS = Map.of(
            "CAP_NET_BIND_SERVICE", 10, "CAP_NET_ADMIN", 12, "CAP_NET_RAW", 13, "CAP_SYS_ADMIN", 21);

    private final boolean root;
    private final long effectiveCaps;
    private final List<Path> path;

    private HostPrivileges(boolean root, long effectiveCaps, List<Path> path) {
        this.root = root;
        this.effectiveCaps = effectiveCaps;
        this.path = path;
    }

    /** Reads the current process's uid, capabilities and PATH. */
    public static HostPrivileges current() {
        boolean root = false;
        long caps = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    root = line.split("\\s+")[2].equals("0"); // effective uid
                } else if (line.startsWith("CapEff:")) {
                    caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc unreadable: assume an ordinary user, so probes that need more say so
        }
        String pathVar = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        List<Path> dirs = java.util.Arrays.stream(pathVar.split(":")).filter(s -> !s.isEmpty()).map(Path::of).toList();
        return new HostPrivileges(root, caps, dirs);
    }

    @Override
    public boolean root() {
        return root;
    }

    @Override
    public boolean hasCapability(String capability) {
        Integer bit = CAPABILITY_BITS.get(capability);
        return bit != null && (effectiveCaps & (1L << bit)) != 0;
    }

    @Override
    public Optional<Path> tool(String name) {
        for (Path dir : path) {
            Path p = dir.resolve(name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
