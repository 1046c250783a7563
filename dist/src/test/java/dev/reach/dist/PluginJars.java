package dev.reach.dist;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Builds a real one-probe plugin jar for a test: compiled with javac, indexed, with a PF4J manifest. */
final class PluginJars {
    private PluginJars() {
    }

    /**
     * @param work     a scratch folder for sources and classes
     * @param requires the Plugin-Requires value, or null
     * @param probeId  the probe's id; its summary says which plugin and version built it
     */
    static void build(Path work, Path jar, String id, String version, String requires, String probeId) throws IOException {
        build(work, jar, id, version, requires, probeId,
                "return Observation.ok(\"%s %s says hello\").build();".formatted(id, version));
    }

    /** The same, with the Java statements of the probe's {@code run(ctx, params)} (they return its Observation). */
    static void build(Path work, Path jar, String id, String version, String requires, String probeId, String runBody)
            throws IOException {
        String pkg = id.replaceAll("[^a-z0-9]", "");
        Path src = Files.createDirectories(work.resolve("src-" + id + "-" + version).resolve(pkg));
        Path classes = Files.createDirectories(work.resolve("classes-" + id + "-" + version));
        Files.writeString(src.resolve("TheProbe.java"), """
                package %s;
                import dev.reach.spi.*;
                public final class TheProbe implements Probe {
                    static final ProbeSpec SPEC = ProbeSpec.builder("%s", "A test probe from %s %s").build();
                    public ProbeSpec spec() { return SPEC; }
                    public Observation run(ProbeContext ctx, Params params) { %s }
                }
                """.formatted(pkg, probeId, id, version, runBody));
        var javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                "-proc:none", src.resolve("TheProbe.java").toString());
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();

        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Plugin-Id", id);
        a.putValue("Plugin-Version", version);
        a.putValue("Plugin-Provider", "tests");
        if (requires != null) a.putValue("Plugin-Requires", requires);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
            out.write((pkg + ".TheProbe\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path c : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(c));
                    out.closeEntry();
                }
            }
        }
    }
}
