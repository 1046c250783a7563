package dev.reach.core.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Which jar of the built-in plugin directory registers which probes: the file {@value #FILE} in that directory, one
 * line per jar ({@code NAME TAB SIZE TAB MODIFIED TAB ID=CLASS,ID=CLASS,...}, the modification time in whole seconds
 * as tar and dpkg keep it, so a package's index stays true once unpacked). A run that needs one probe ({@code reach
 * probe ID}) then loads that one jar instead of every built-in plugin (each costs 10-20 ms of a fresh start), and
 * creates that one probe of it. The index is written after a load of every plugin in which every jar of the directory
 * loaded; it is believed only while the directory holds exactly the jars it lists, each of the size and modification
 * time it says. Anything else (a jar added, rebuilt or removed, a probe it does not list, two jars claiming one id)
 * means loading everything, as without it. A directory that cannot be written (an installed package, whose index
 * comes with it) is left as it is.
 */
final class ProbeIndex {
    static final String FILE = ".probe-index";

    private ProbeIndex() {
    }

    /** Where a probe comes from: the jar, and the class the jar's extension index names for it. */
    record Hit(Path jar, String className) {
    }

    /** Where {@code probeId} comes from, by the first of {@code dirs} whose valid index names it. */
    static Optional<Hit> find(List<Path> dirs, String probeId) {
        return dirs.stream().map(dir -> jarFor(dir, probeId)).flatMap(Optional::stream).findFirst();
    }

    /**
     * Writes the index of each of {@code dirs} after a load of every plugin: {@code plugins} are those that loaded,
     * {@code registry} holds their probes (see {@link #write}).
     */
    static void writeAll(List<Path> dirs, List<LoadedPlugin> plugins, ProbeRegistry registry) {
        for (Path dir : dirs) {
            Map<Path, List<String>> probes = new LinkedHashMap<>();
            plugins.stream().filter(p -> dir.equals(p.path().getParent())).forEach(p -> probes.put(p.path(), p.probeIds().stream()
                    .map(id -> id + "=" + ProbeRegistry.unwrap(registry.find(id).orElseThrow()).getClass().getName()).toList()));
            write(dir, probes);
        }
    }

    /** The jar in {@code dir} that registers {@code probeId}, by a valid index; empty when that cannot be said. */
    static Optional<Hit> jarFor(Path dir, String probeId) {
        Map<String, String> lines = read(dir);
        if (lines.isEmpty() || !lines.keySet().equals(current(dir).keySet())) {
            return Optional.empty();
        }
        Hit found = null;
        for (var line : lines.entrySet()) {
            String[] f = line.getValue().split("\t", -1);
            if (f.length != 4 || !line.getValue().equals(stamp(dir.resolve(f[0]), f[3]))) {
                return Optional.empty(); // rebuilt or touched since
            }
            for (String pair : f[3].split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals(probeId)) {
                    if (found != null) return Optional.empty(); // two jars claim it: the full load says which wins
                    found = new Hit(dir.resolve(f[0]), pair.substring(eq + 1));
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Writes the index of {@code dir} from a load of every plugin: {@code probes} gives each loaded jar of {@code dir}
     * its probes, {@code ID=CLASS}. Not written when a jar of the directory did not load (it is not in {@code probes}),
     * when a plugin there is not a jar, when nothing changed, or when {@code dir} cannot be written.
     */
    static void write(Path dir, Map<Path, List<String>> probes) {
        Map<String, String> want = current(dir);
        if (want.isEmpty() || !want.keySet().equals(names(probes))) {
            return;
        }
        Map<String, String> lines = new TreeMap<>();
        for (var e : probes.entrySet()) {
            String line = stamp(e.getKey(), String.join(",", e.getValue().stream().sorted().toList()));
            if (line == null) return;
            lines.put(e.getKey().getFileName().toString(), line);
        }
        if (lines.equals(read(dir))) {
            return;
        }
        Path tmp = dir.resolve(FILE + "." + ProcessHandle.current().pid());
        try {
            Files.writeString(tmp, String.join("\n", lines.values()) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing was written, or it cannot be removed either
            }
        }
    }

    private static java.util.Set<String> names(Map<Path, List<String>> probes) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        probes.keySet().forEach(p -> out.add(p.getFileName().toString()));
        return out;
    }

    /** The plugins in {@code dir} as the loader finds them, by file name; empty when one is not a plain jar. */
    private static Map<String, String> current(Path dir) {
        List<PluginProblem> problems = new ArrayList<>();
        Map<String, String> out = new TreeMap<>();
        for (Path p : PluginPaths.find(List.of(dir), false, problems)) {
            if (!Files.isRegularFile(p)) return Map.of();
            out.put(p.getFileName().toString(), "");
        }
        return problems.isEmpty() ? out : Map.of();
    }

    /** {@code NAME TAB SIZE TAB MODIFIED TAB IDS} of a jar, or null when it cannot be read. */
    private static String stamp(Path jar, String ids) {
        try {
            BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
            return jar.getFileName() + "\t" + a.size() + "\t" + a.lastModifiedTime().to(TimeUnit.SECONDS) + "\t" + ids;
        } catch (IOException e) {
            return null;
        }
    }

    /** The index's lines by jar name; empty when there is none or it cannot be read. */
    private static Map<String, String> read(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(dir.resolve(FILE), StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0) out.put(line.substring(0, tab), line);
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }
}
