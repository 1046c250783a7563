package dev.reach.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PluginCheck on plugin modules laid out here as a build leaves them (target/classes with the descriptor, the index and
 * the probe's class file, copied from this test's own classes).
 */
class PluginCheckTest {
    private static final String PROBE = CheckDemoProbe.class.getName();

    @TempDir
    Path dir;

    @Test
    void aModuleReachWouldLoadPasses() throws Exception {
        Path module = module("demo", "plugin.id=demo\nplugin.version=1.0.0\nplugin.provider=tests\n", PROBE);
        assertThat(PluginCheck.problems(module)).isEmpty();
        PluginCheck.check(module);
    }

    @Test
    void whatReachWouldRefuseFailsTheTestWithReachsOwnWords() throws Exception {
        Path misspelt = module("misspelt", "plugin.Id=demo\nplugin.version=1.0.0\n", PROBE);
        assertThatThrownBy(() -> PluginCheck.check(misspelt)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("reach would not load " + misspelt)
                .hasMessageContaining("has an invalid plugin descriptor: field 'id' cannot be empty");

        Path stale = module("stale", "plugin.id=stale\nplugin.version=1.0.0\n", "org.example.Gone");
        assertThat(PluginCheck.problems(stale)).singleElement().asString()
                .contains("lists 'org.example.Gone' in META-INF/extensions.idx, but has no such class");

        Path unbuilt = Files.createDirectories(dir.resolve("unbuilt"));
        assertThat(PluginCheck.problems(unbuilt)).singleElement().asString().contains("build it first");
    }

    /** A module folder with target/classes: the descriptor, an index naming {@code indexed}, and the demo probe's class. */
    private Path module(String name, String properties, String indexed) throws Exception {
        Path classes = Files.createDirectories(dir.resolve(name).resolve("target/classes"));
        Files.writeString(dir.resolve(name).resolve("pom.xml"), "<project/>\n");
        Files.writeString(classes.resolve("plugin.properties"), properties);
        Files.createDirectories(classes.resolve("META-INF"));
        Files.writeString(classes.resolve("META-INF/extensions.idx"), indexed + "\n");
        String file = PROBE.replace('.', '/') + ".class";
        Path target = classes.resolve(file);
        Files.createDirectories(target.getParent());
        try (InputStream in = PluginCheckTest.class.getClassLoader().getResourceAsStream(file)) {
            Files.copy(in, target);
        }
        return dir.resolve(name);
    }
}
