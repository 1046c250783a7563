package dev.reach.shell.history;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * sqlite-jdbc carries SQLite as a native library inside its jar and copies it to the temporary directory on every
 * start (about 100 ms and a megabyte written per run). The distribution unpacks the library for this platform once,
 * under {@code lib/native/sqlite/OS/ARCH/}; this points sqlite-jdbc at it when it is there, else leaves it its own way.
 */
final class NativeLibrary {
    private NativeLibrary() {
    }

    static synchronized void point() {
        if (System.getProperty("org.sqlite.lib.path") != null) return;
        String home = System.getProperty("reach.home");
        if (home == null) return;
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (arch == null || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return;
        Path dir = Path.of(home, "lib", "native", "sqlite", "Linux", arch);
        if (Files.isRegularFile(dir.resolve("libsqlitejdbc.so"))) {
            System.setProperty("org.sqlite.lib.path", dir.toString());
            System.setProperty("org.sqlite.lib.name", "libsqlitejdbc.so");
        }
    }
}
