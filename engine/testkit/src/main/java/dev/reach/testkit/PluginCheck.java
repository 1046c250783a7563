package dev.reach.testkit;

import dev.reach.core.Reach;
import dev.reach.core.plugin.PluginProblem;
import dev.reach.core.plugin.ProbeRegistry;
import dev.reach.spi.Probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads a plugin module the way reach loads it — its descriptor, its extension index, each probe's constructor and
 * spec, its cause file — from the module's {@code target/classes} (and {@code target/lib}), so that a test fails on
 * what {@code reach plugins} would otherwise say only once the jar is installed. Then the loaded probes' specs are
 * held to {@link SpecConventions}.
 *
 * <pre>{@code
 * @Test
 * void loadsAsReachLoadsIt() {
 *     PluginCheck.check();          // the module the build runs in (its working directory)
 * }
 * }</pre>
 *
 * It loads this plugin alone: a clash with the id of a probe reach ships shows only beside them ({@code reach plugins}).
 */
public final class PluginCheck {
    private PluginCheck() {
    }

    /** Checks the module in the working directory (Maven runs a module's tests there). */
    public static void check() {
        check(Path.of("").toAbsolutePath());
    }

    /** Fails with every problem reach would report loading the module, and every broken spec convention. */
    public static void check(Path module) {
        List<String> problems = problems(module);
        if (!problems.isEmpty()) {
            throw new AssertionError("reach would not load " + module + " as it is:\n  " + String.join("\n  ", problems));
        }
    }

    /** What reach says loading the module, then what SpecConventions says of its probes; empty when nothing. */
    public static List<String> problems(Path module) {
        Path abs = module.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs.resolve("target/classes/plugin.properties"))) {
            return List.of(abs + " has no target/classes/plugin.properties: build it first (mvn compile), and keep"
                    + " plugin.properties in src/main/resources");
        }
        Path tree;
        Path link;
        try {
            tree = Files.createTempDirectory("reach-plugin-check");
            link = Files.createSymbolicLink(tree.resolve(abs.getFileName() == null ? "plugin" : abs.getFileName().toString()), abs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out a source tree for " + abs, e);
        }
        try (Reach reach = Reach.builder().development(true).warmScripts(false).pluginDirectory(tree).build()) {
            List<String> out = new ArrayList<>(reach.pluginProblems().stream()          // the module's path, not the link's
                    .map(p -> p.message().replace(link.toString(), abs.toString())).toList());
            List<Probe> probes = reach.probes().all().stream().map(ProbeRegistry::unwrap).toList();
            if (out.isEmpty()) {
                probes.forEach(p -> out.addAll(SpecConventions.problems(p)));
            }
            return out;
        } finally {
            delete(tree);
        }
    }

    private static void delete(Path tree) {
        try (Stream<Path> files = Files.walk(tree)) {   // the link, not what it points to: walk does not follow links
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // a temp folder left behind
                }
            });
        } catch (IOException e) {
            // a temp folder left behind
        }
    }
}
