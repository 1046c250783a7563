package dev.reach.shell.resident;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a resident reach lives and what it is: the user's socket directory, one socket and PID file per network
 * namespace, and the identity (namespace, files, directory, environment) a client must share to be served.
 */
final class ResidentPlace {
    /**
     * The environment a command's result can depend on: a client whose values differ (or that lacks one the resident
     * has) is declined. The proxies change what http.get reaches (proxy.env); RES_OPTIONS, LOCALDOMAIN and HOSTALIASES
     * change what the system resolver answers. The launcher's client (reach-resident.pl) sends exactly these.
     */
    static final List<String> ENVIRONMENT = List.of("PATH", "HOME", "REACH_PLUGINS", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
            "http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
            "RES_OPTIONS", "LOCALDOMAIN", "HOSTALIASES", "XDG_STATE_HOME", "REACH_HISTORY", "REACH_HISTORY_MAX_RUNS");

    private ResidentPlace() {
    }

    /** What a command would see here; the client's must be the same. */
    record Identity(String netns, String resolvConf, String hosts, String cwd, String home, Map<String, String> environment) {
        static Identity here() throws IOException {
            Map<String, String> env = new LinkedHashMap<>();
            for (String k : ENVIRONMENT) {
                String v = System.getenv(k);
                if (v != null) env.put(k, v);
            }
            return new Identity(ResidentPlace.netns(), fileId(Path.of("/etc/resolv.conf")), fileId(Path.of("/etc/hosts")),
                    Path.of("").toAbsolutePath().toString(), String.valueOf(System.getProperty("reach.home")), env);
        }

        /** Why a client with these fields must not be served here, or null when it may. */
        String mismatch(Map<String, String> f) {
            if (!netns.equals(f.get("netns"))) return "it runs in another network namespace";
            if (!resolvConf.equals(f.get("resolv")) || !hosts.equals(f.get("hosts"))) {
                return "it sees another /etc/resolv.conf or /etc/hosts (another mount namespace)";
            }
            String there = f.getOrDefault("cwd", "-");
            if (!there.startsWith("/")) return "its working directory is unknown";
            if (!cwd.equals(there) && relativeEntry(environment.get("REACH_PLUGINS"))) {
                return "REACH_PLUGINS names a relative directory, and it runs in another directory than " + cwd;
            }
            if (!home.equals(f.get("home"))) return "it is another reach (" + f.get("home") + ")";
            for (String k : ENVIRONMENT) {
                if (!Objects.equals(environment.get(k), f.get("env." + k))) return "its " + k + " differs";
            }
            return null;
        }
    }

    /** Whether a colon-separated list of directories has one that depends on the working directory. */
    static boolean relativeEntry(String dirs) {
        if (dirs == null) return false;
        for (String d : dirs.split(":")) {
            if (!d.isBlank() && !d.strip().startsWith("/")) return true;
        }
        return false;
    }

    /**
     * The user's directory for resident sockets: {@code $XDG_RUNTIME_DIR/reach} when that directory is the
     * user's, else {@code /tmp/reach-UID}; made with mode 700, and refused when someone else owns it or can
     * enter it.
     */
    static Path directory(boolean create) throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg))
                && uid == (Integer) Files.getAttribute(Path.of(xdg), "unix:uid")
                ? Path.of(xdg, "reach") : Path.of("/tmp", "reach-" + uid);
        if (create && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made by a resident starting at the same time: checked below
            }
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    || uid != (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                    || ((Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 077) != 0) {
                throw new IOException(dir + " is not a directory only this user can enter; remove it");
            }
        }
        return dir;
    }

    /** The inode number of this process's network namespace, as in {@code /proc/self/ns/net -> net:[4026531840]}. */
    static String netns() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        return link.replaceAll("\\D", "");
    }

    static Path socketFor(Path dir, String netns) {
        return dir.resolve("net-" + netns + ".sock");
    }

    static Path pidFile(Path socket) {
        return socket.resolveSibling(socket.getFileName().toString().replace(".sock", ".pid"));
    }

    /** {@code DEV:INODE} of a file as this process's mount namespace shows it, {@code -} when it has none. */
    static String fileId(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
            return a.get("dev") + ":" + a.get("ino");
        } catch (IOException | UnsupportedOperationException e) {
            return "-";
        }
    }
}
