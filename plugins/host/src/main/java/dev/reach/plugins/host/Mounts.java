package dev.reach.plugins.host;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What is mounted where, from {@code /proc/self/mountinfo}, what {@code /etc/fstab} says should be, and for a network
 * filesystem the server and port it talks to.
 */
final class Mounts {
    /**
     * @param options the mount's own options, then the filesystem's (super options: {@code addr=}, {@code port=})
     */
    record Mount(String mountpoint, String type, String source, String options) {
        boolean network() {
            return server().isPresent();
        }

        /** The server of a network filesystem and the port it is reached on; empty for a local one. */
        Optional<Server> server() {
            String t = type.toLowerCase(Locale.ROOT);
            String addr = option("addr").orElse("");
            return switch (t) {
                case "nfs", "nfs4" -> hostBeforeColon(source).map(h -> new Server(addr.isEmpty() ? h : addr, port(2049), "NFS"));
                case "cifs", "smb3", "smbfs" -> source.startsWith("//")
                        ? Optional.of(new Server(addr.isEmpty() ? source.substring(2).split("/", 2)[0] : addr, port(445), "SMB"))
                        : Optional.empty();
                case "fuse.sshfs" -> hostBeforeColon(source.substring(source.indexOf('@') + 1)).map(h -> new Server(h, 22, "SFTP (sshfs)"));
                case "glusterfs", "fuse.glusterfs" -> hostBeforeColon(source).map(h -> new Server(h, 24007, "GlusterFS"));
                case "ceph" -> cephMonitor(source);
                default -> Optional.empty();
            };
        }

        private Optional<String> option(String name) {
            for (String o : options.split(",")) {
                if (o.startsWith(name + "=")) return Optional.of(o.substring(name.length() + 1));
            }
            return Optional.empty();
        }

        private int port(int byDefault) {
            try {
                int p = Integer.parseInt(option("port").orElse("0"));
                return p > 0 && p < 65536 ? p : byDefault;
            } catch (NumberFormatException e) {
                return byDefault;
            }
        }

        /** {@code mon1:6789,mon2:6789:/path} or {@code 198.18.0.9:/}: the first monitor. */
        private Optional<Server> cephMonitor(String src) {
            String first = src.split(",", 2)[0];
            String[] parts = first.split(":");
            if (parts.length < 2 || parts[0].isEmpty()) return Optional.empty();
            int port = 6789;
            try {
                if (parts.length > 2) port = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                // the path came right after the host
            }
            return Optional.of(new Server(parts[0], port, "Ceph"));
        }
    }

    /** A network filesystem's server: the host (or address) and port, and the protocol spoken there. */
    record Server(String host, int port, String protocol) {
    }

    /** One line of fstab that mounts something. */
    record Planned(String source, String mountpoint, String type, String options, int line) {
        boolean automatic() {
            return !List.of(options.split(",")).contains("noauto");
        }
    }

    private Mounts() {
    }

    /** The lines of mountinfo, in their order (a later mount on the same point hides an earlier one). */
    static List<Mount> parse(String mountinfo) {
        List<Mount> out = new ArrayList<>();
        for (String line : mountinfo.lines().toList()) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 6 || f.length < dash + 3) continue;
            String superOptions = f.length > dash + 3 ? f[dash + 3] : "";
            out.add(new Mount(unescape(f[4]), f[dash + 1], unescape(f[dash + 2]), f[5] + "," + superOptions));
        }
        return List.copyOf(out);
    }

    /** The mount that holds {@code path}: the longest mount point it lies under, the last mounted of equals. */
    static Optional<Mount> holding(List<Mount> mounts, String path) {
        Mount best = null;
        for (Mount m : mounts) {
            if (under(path, m.mountpoint()) && (best == null || m.mountpoint().length() >= best.mountpoint().length())) best = m;
        }
        return Optional.ofNullable(best);
    }

    /** fstab's lines that mount something, comments and swap left out. */
    static List<Planned> fstab(String text) {
        List<Planned> out = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] f = l.split("\\s+");
            if (f.length < 3 || f[2].equals("swap") || f[1].equals("none")) continue;
            out.add(new Planned(unescape(f[0]), unescape(f[1]), f[2], f.length > 3 ? f[3] : "defaults", i + 1));
        }
        return List.copyOf(out);
    }

    /**
     * The fstab line that should hold {@code path} but is not mounted: its mount point is {@code path} or a folder
     * above it, deeper than the mount that holds it now. The deepest such line.
     */
    static Optional<Planned> missing(List<Planned> planned, List<Mount> mounts, String path) {
        String now = holding(mounts, path).map(Mount::mountpoint).orElse("");
        return planned.stream().filter(p -> under(path, p.mountpoint()) && p.mountpoint().length() > now.length())
                .max(Comparator.comparingInt(p -> p.mountpoint().length()));
    }

    static boolean under(String path, String mountpoint) {
        return mountpoint.equals("/") || path.equals(mountpoint) || path.startsWith(mountpoint + "/");
    }

    /** {@code host:/export} or {@code [fd00::9]:/export}: the host. */
    private static Optional<String> hostBeforeColon(String source) {
        if (source.startsWith("[")) {
            int end = source.indexOf(']');
            return end > 1 ? Optional.of(source.substring(1, end)) : Optional.empty();
        }
        int colon = source.indexOf(':');
        return colon > 0 ? Optional.of(source.substring(0, colon)) : Optional.empty();
    }

    /** mountinfo and fstab write a space as \040, a tab as \011, a backslash as \134. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
        }
        return true;
    }
}
