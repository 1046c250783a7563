package dev.reach.core.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the plugin paths in the plugin directories, in order: each directory's jars and PF4J plugin
 * directories sorted by name or, in development mode, each Maven module under a source tree
 * (an aggregator's modules included).
 */
final class PluginPaths {
    private PluginPaths() {}

    /** The candidates to load; directories that cannot be read, and zips, become problems. */
    static List<Path> find(List<Path> directories, boolean development, List<PluginProblem> problems) {
        List<Path> out = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path dir : directories) {
            if (!Files.exists(dir)) {
                problems.add(PluginProblem.of(dir.toString(), "plugin directory '" + dir + "' does not exist"));
            } else if (!Files.isDirectory(dir)) {
                problems.add(PluginProblem.of(dir.toString(), "plugin directory '" + dir + "' is not a directory"));
            } else if (seen.add(real(dir))) {
                if (development) {
                    modules(dir, out, problems);
                } else {
                    plugins(dir, out, problems);
                }
            }
        }
        return out;
    }

    private static void plugins(Path dir, List<Path> out, List<PluginProblem> problems) {
        for (Path p : list(dir, problems)) {
            String name = p.getFileName().toString();
            if (name.startsWith("original-") && name.endsWith(".jar")) {
                continue; // maven-shade-plugin's pre-shade copy beside the real jar
            }
            if (name.endsWith(".jar") && !Files.isDirectory(p) || isPluginDirectory(p)) {
                out.add(p);
            } else if (name.endsWith(".zip")) {
                problems.add(PluginProblem.of(p.toString(), "'" + p + "' is a zip: unzip it into a directory of its own, or use the plugin's jar"));
            }
        }
    }

    /**
     * A PF4J plugin directory has a descriptor, and a Maven module is taken too so that the loader can say
     * "use development mode"; other folders (a module's target/classes, reports) are passed over, so
     * {@code --plugins plugins/x/target} loads the jar built there and nothing else.
     */
    private static boolean isPluginDirectory(Path p) {
        return Files.isDirectory(p) && (Files.exists(p.resolve("plugin.properties"))
                || Files.exists(p.resolve("classes/META-INF/MANIFEST.MF")) || Files.exists(p.resolve("pom.xml")));
    }

    private static void modules(Path dir, List<Path> out, List<PluginProblem> problems) {
        for (Path p : list(dir, problems)) {
            if (!Files.isDirectory(p)) {
                continue;
            }
            if (Files.exists(p.resolve(DescriptorFinder.DEV_PROPERTIES))) {
                out.add(p);
            } else if (Files.exists(p.resolve("pom.xml"))) {
                if (list(p, problems).stream().anyMatch(c -> Files.exists(c.resolve("pom.xml")))) {
                    modules(p, out, problems);          // an aggregator such as plugins/examples
                } else {
                    out.add(p);                         // not built: DescriptorFinder says so
                }
            }
        }
    }

    private static List<Path> list(Path dir, List<PluginProblem> problems) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            problems.add(PluginProblem.of(dir.toString(), "plugin directory '" + dir + "' cannot be read: " + PluginProblem.brief(e), e));
            return List.of();
        }
    }

    private static Path real(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }
}
