package dev.reach.shell.resident;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;

/**
 * Whether the distribution it runs has changed since it started: the build stamp's time, (in a checkout) any
 * change under the sources the launcher rebuilds from, and a jar added to or taken from the plugin folders its
 * engines load (the user's, REACH_PLUGINS'), seen through inotify.
 */
final class SourceWatch implements AutoCloseable {
    private static final List<String> TREES = List.of("engine", "plugins", "shell", "third-party", "playbooks", "templates");
    private final Path stamp;
    private final FileTime stampTime;
    private final java.nio.file.WatchService watch;
    private final Path root;
    private final java.util.Set<Path> pluginDirs;
    private volatile String changed;

    private SourceWatch(Path stamp, FileTime stampTime, java.nio.file.WatchService watch, Path root, java.util.Set<Path> pluginDirs) {
        this.stamp = stamp;
        this.stampTime = stampTime;
        this.watch = watch;
        this.root = root;
        this.pluginDirs = pluginDirs;
    }

    /** Watches the build stamp, the checkout's sources (null: not a checkout) and the plugin folders that exist. */
    static SourceWatch open(Path checkout, Path stamp, List<Path> pluginFolders) throws IOException {
        FileTime t = Files.exists(stamp) ? Files.getLastModifiedTime(stamp) : null;
        java.util.Set<Path> plugins = new java.util.LinkedHashSet<>();
        for (Path p : pluginFolders) {
            Path abs = p.toAbsolutePath().normalize();
            if (Files.isDirectory(abs)) {
                plugins.add(abs);
            } else if (abs.getParent() != null && Files.isDirectory(abs.getParent())) {
                plugins.add(abs.getParent());   // not there yet ('reach plugins install' makes it): its making is a change
            }
        }
        boolean sources = checkout != null && Files.isDirectory(checkout.resolve("engine"));
        if (!sources && plugins.isEmpty()) {
            return new SourceWatch(stamp, t, null, null, plugins);
        }
        var watch = java.nio.file.FileSystems.getDefault().newWatchService();
        var kinds = new java.nio.file.WatchEvent.Kind<?>[]{java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                java.nio.file.StandardWatchEventKinds.ENTRY_DELETE, java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY};
        for (Path p : plugins) p.register(watch, kinds);
        if (!sources) {
            return new SourceWatch(stamp, t, watch, null, plugins);
        }
        checkout.register(watch, kinds);
        if (Files.isDirectory(checkout.resolve("dist"))) checkout.resolve("dist").register(watch, kinds);
        for (String tree : TREES) {
            Path top = checkout.resolve(tree);
            if (!Files.isDirectory(top)) continue;
            Files.walkFileTree(top, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a)
                        throws IOException {
                    String n = d.getFileName().toString();
                    if (!d.equals(top) && (n.equals("target") || n.startsWith("."))) {
                        return java.nio.file.FileVisitResult.SKIP_SUBTREE;   // build output and hidden folders
                    }
                    d.register(watch, kinds);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        }
        return new SourceWatch(stamp, t, watch, checkout, plugins);
    }

    /** What changed, or null when nothing did. */
    String changed() {
        if (changed != null) return changed;
        try {
            FileTime now = Files.exists(stamp) ? Files.getLastModifiedTime(stamp) : null;
            if (!Objects.equals(now, stampTime)) return changed = "the distribution was built again";
        } catch (IOException e) {
            return changed = "its build stamp cannot be read: " + e.getMessage();
        }
        if (watch == null) return null;
        java.nio.file.WatchKey key;
        while ((key = watch.poll()) != null) {
            Path dir = (Path) key.watchable();
            for (var e : key.pollEvents()) {
                if (!(e.context() instanceof Path name)) {   // OVERFLOW: assume the worst
                    return changed = "its sources changed";
                }
                String n = name.toString();
                if (pluginDirs.contains(dir)) {
                    changed = "its plugins changed (" + dir.resolve(name) + ")";
                    continue;
                }
                boolean top = dir.equals(root) || dir.equals(root.resolve("dist"));
                if (top ? n.equals("pom.xml") : !n.equals("target") && !n.startsWith(".")) {
                    changed = "its sources changed (" + root.relativize(dir.resolve(name)) + ")";
                }
            }
            key.reset();
            if (changed != null) return changed;
        }
        return null;
    }

    @Override
    public void close() {
        try {
            if (watch != null) watch.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
