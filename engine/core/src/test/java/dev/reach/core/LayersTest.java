package dev.reach.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's packages point one way: spi → playbook → script → run → verdict, report, plugin → Reach (a package
 * uses only those before it). Read from the sources' text: every {@code dev.reach.core.PKG.Class} a main file names,
 * imported or written out; a name that points back fails, with the class that names it.
 */
class LayersTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/reach/core");
    /** A package may use the packages of a lower rank; the root package (Reach) is above all. */
    private static final Map<String, Integer> RANK = Map.of("playbook", 1, "script", 2, "run", 3, "verdict", 4, "report", 5,
            "plugin", 5, "", 6);
    private static final Pattern NAMED = Pattern.compile("dev\\.reach\\.core\\.([a-z]+)\\.([A-Z][A-Za-z0-9]*)");
    @Test
    void everyPackageUsesOnlyThoseBeforeIt() throws IOException {
        Set<String> against = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(f.getParent()).toString();
                assertThat(RANK).as("%s is in a package the order does not know: give it a rank", f).containsKey(pkg);
                String text = Files.readString(f).replaceFirst("(?m)^package [^;]+;", "");
                Matcher m = NAMED.matcher(text);
                while (m.find()) {
                    String used = m.group(1);
                    assertThat(RANK).as("%s names dev.reach.core.%s, a package the order does not know", f, used).containsKey(used);
                    if (!used.equals(pkg) && RANK.get(used) >= RANK.get(pkg)) {
                        String cls = f.getFileName().toString().replace(".java", "");
                        against.add((pkg.isEmpty() ? "" : pkg + ".") + cls + " -> " + used + "." + m.group(2));
                    }
                }
            }
        }
        assertThat(against).as("arrows against spi → playbook → script → run → verdict, report, plugin → Reach").isEmpty();
    }

    @Test
    void theReadingFindsImportsAndWrittenOutNames() {
        Matcher m = NAMED.matcher("import dev.reach.core.run.StepResult; x = new dev.reach.core.verdict.Verdict(null);");
        List<String> found = m.results().map(r -> r.group(1) + "." + r.group(2)).toList();
        assertThat(found).containsExactly("run.StepResult", "verdict.Verdict");
    }
}
