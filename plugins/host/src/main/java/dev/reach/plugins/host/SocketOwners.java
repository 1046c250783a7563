package dev.reach.plugins.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Finds which processes hold given socket inodes by reading the {@code socket:[INODE]} links under
 * {@code /proc/PID/fd}. An ordinary user sees only its own processes' descriptors, so the answer may be
 * partial: {@link Result#denied} counts the processes that could not be read.
 */
final class SocketOwners {
    /** Bounds the scan on hosts with huge descriptor tables. */
    private static final int MAX_LINKS = 500_000;

    private SocketOwners() {
    }

    record Owner(long pid, String command) {
        String text() {
            return command + " (pid " + pid + ")";
        }
    }

    record Result(Map<Long, Owner> owners, int denied) {
    }

    static Result find(Path proc, Set<Long> inodes) {
        Map<Long, Owner> found = new HashMap<>();
        Set<Long> wanted = new HashSet<>(inodes);
        int denied = 0;
        int links = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path pidDir : pids) {
                if (wanted.isEmpty() || links > MAX_LINKS) {
                    break;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
                    for (Path fd : fds) {
                        links++;
                        String target = readLink(fd);
                        if (target.startsWith("socket:[")) {
                            long inode = Long.parseLong(target.substring(8, target.length() - 1));
                            if (wanted.remove(inode)) {
                                long pid = Long.parseLong(pidDir.getFileName().toString());
                                found.put(inode, new Owner(pid, command(pidDir)));
                            }
                        }
                    }
                } catch (IOException | SecurityException e) {
                    denied++;
                }
            }
        } catch (IOException e) {
            return new Result(found, -1);
        }
        return new Result(found, denied);
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    private static String command(Path pidDir) {
        try {
            return Files.readString(pidDir.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
