package dev.reach.core.plugin;

import dev.reach.spi.Probe;
import org.pf4j.ExtensionPoint;

import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds a real plugin for loader tests: compiles its sources against the SPI with the system Java compiler,
 * writes {@code plugin.properties} and {@code META-INF/extensions.idx}, and lays it out as a jar, a PF4J
 * plugin directory or a Maven module (development mode).
 */
final class TestPlugin {
    private static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();

    private final String id;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, String> libSources = new LinkedHashMap<>();
    private final List<String> index = new ArrayList<>();
    private final Map<String, String> resources = new LinkedHashMap<>();
    private boolean descriptor = true;
    private boolean bundleSpi;

    private TestPlugin(String id) {
        this.id = id;
        properties.put("plugin.id", id);
        properties.put("plugin.version", "1.0.0");
        properties.put("plugin.provider", "tests");
        properties.put("plugin.description", "test plugin " + id);
    }

    static TestPlugin named(String id) {
        return new TestPlugin(id);
    }

    /** A plugin with one probe whose run() returns OK with the given summary. */
    static TestPlugin withProbe(String id, String probeId, String summary) {
        String cls = id + "." + pascal(probeId) + "Probe";
        return named(id).probe(cls, probeId, '"' + summary + '"');
    }

    TestPlugin property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    TestPlugin requires(String constraint) {
        return property("plugin.requires", constraint);
    }

    TestPlugin withoutDescriptor() {
        descriptor = false;
        return this;
    }

    /** Puts a copy of the reach-spi classes in the plugin, as a plugin that forgot {@code provided} would. */
    TestPlugin bundlingSpi() {
        bundleSpi = true;
        return this;
    }

    /** A class compiled into the plugin. */
    TestPlugin source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** A class of a library the plugin bundles: in the jar itself, or a jar under lib/ or target/lib/. */
    TestPlugin lib(String className, String code) {
        libSources.put(className, code);
        return this;
    }

    /** A file at the root of the plugin's classes (as src/main/resources puts it there). */
    TestPlugin resource(String name, String text) {
        resources.put(name, text);
        return this;
    }

    /** A line in the extension index, whether or not the class exists. */
    TestPlugin indexed(String className) {
        index.add(className);
        return this;
    }

    /** A probe class, indexed, whose run() returns OK with the summary the Java expression gives. */
    TestPlugin probe(String className, String probeId, String summaryExpression) {
        return source(className, probeSource(className, probeId, summaryExpression, "")).indexed(className);
    }

    static String probeSource(String className, String probeId, String summaryExpression, String moreMembers) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;
                import dev.reach.spi.*;
                public final class %s implements Probe {
                    static final ProbeSpec SPEC = ProbeSpec.builder("%s", "Says something").build();
                    public ProbeSpec spec() { return SPEC; }
                    public Observation run(ProbeContext ctx, Params params) { return Observation.ok(%s).build(); }
                    %s
                }
                """.formatted(className.substring(0, dot), className.substring(dot + 1), probeId, summaryExpression, moreMembers);
    }

    /** Writes {@code dir/<id>.jar} with the plugin's classes and its libraries' classes in it. */
    Path jar(Path dir) {
        return build(work -> {
            Path lib = compile(libSources, work.resolve("lib-classes"), List.of());
            Path classes = compile(sources, work.resolve("classes"), List.of(lib));
            copyTree(lib, classes);
            metadata(classes);
            Files.createDirectories(dir);
            return zip(classes, dir.resolve(id + ".jar"));
        });
    }

    /** Writes a PF4J plugin directory {@code dir/<id>/}: plugin.properties, classes/ and lib/<id>-lib.jar. */
    Path directory(Path dir) {
        Path plugin = dir.resolve(id);
        return build(work -> {
            Path lib = compile(libSources, work.resolve("lib-classes"), List.of());
            compile(sources, plugin.resolve("classes"), List.of(lib));
            metadata(plugin.resolve("classes"));
            if (descriptor) {
                Files.move(plugin.resolve("classes/plugin.properties"), plugin.resolve("plugin.properties"));
            }
            if (!libSources.isEmpty()) {
                zip(lib, Files.createDirectories(plugin.resolve("lib")).resolve(id + "-lib.jar"));
            }
            return plugin;
        });
    }

    /** Writes a built Maven module {@code root/<id>/}: pom.xml, target/classes and target/lib/<id>-lib.jar. */
    Path module(Path root) {
        Path module = root.resolve(id);
        return build(work -> {
            Path lib = compile(libSources, work.resolve("lib-classes"), List.of());
            compile(sources, module.resolve("target/classes"), List.of(lib));
            metadata(module.resolve("target/classes"));
            Files.writeString(module.resolve("pom.xml"), "<project/>\n");
            if (!libSources.isEmpty()) {
                zip(lib, Files.createDirectories(module.resolve("target/lib")).resolve(id + "-lib.jar"));
            }
            return module;
        });
    }

    private interface Step {
        Path run(Path work) throws IOException;
    }

    private static Path build(Step step) {
        Path work = null;
        try {
            work = Files.createTempDirectory("reach-test-plugin-");
            return step.run(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (work != null) {
                delete(work);
            }
        }
    }

    private void metadata(Path classes) throws IOException {
        Files.createDirectories(classes.resolve("META-INF"));
        for (var r : resources.entrySet()) {
            Files.writeString(classes.resolve(r.getKey()), r.getValue());
        }
        if (descriptor) {
            StringBuilder props = new StringBuilder();
            properties.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
            Files.writeString(classes.resolve("plugin.properties"), props);
        }
        if (!index.isEmpty()) {
            Files.writeString(classes.resolve(ProbeClasses.INDEX), "# written by TestPlugin\n" + String.join("\n", index) + "\n");
        }
        if (bundleSpi) {
            copySpi(classes);
        }
    }

    private static Path compile(Map<String, String> sources, Path out, List<Path> extraClassPath) throws IOException {
        Files.createDirectories(out);
        if (sources.isEmpty()) {
            return out;
        }
        List<Path> cp = new ArrayList<>(List.of(location(Probe.class), location(ExtensionPoint.class)));
        cp.addAll(extraClassPath);
        var files = sources.entrySet().stream().map(e -> new Source(e.getKey(), e.getValue())).toList();
        try (var fm = JAVAC.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            fm.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(out));
            fm.setLocationFromPaths(StandardLocation.CLASS_PATH, cp);
            StringWriter errors = new StringWriter();
            boolean ok = JAVAC.getTask(errors, fm, null, List.of("--release", "25", "-proc:none"), null, files).call();
            if (!ok) {
                throw new IllegalStateException("test plugin did not compile:\n" + errors);
            }
        }
        return out;
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    /** The jar or classes directory a class was loaded from. */
    static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copySpi(Path classes) throws IOException {
        Path spi = location(Probe.class);
        String pkg = Probe.class.getPackageName().replace('.', '/') + "/";
        if (Files.isDirectory(spi)) {
            copyTree(spi.resolve(pkg), classes.resolve(pkg));
            return;
        }
        try (JarFile jar = new JarFile(spi.toFile())) {
            for (JarEntry e : jar.stream().filter(e -> e.getName().startsWith(pkg) && !e.isDirectory()).toList()) {
                Path target = classes.resolve(e.getName());
                Files.createDirectories(target.getParent());
                try (var in = jar.getInputStream(e)) {
                    Files.copy(in, target);
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.copy(p, target);
            }
        }
    }

    private static Path zip(Path classes, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
             Stream<Path> s = Files.walk(classes)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, zip);
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    private static String pascal(String probeId) {
        StringBuilder sb = new StringBuilder();
        for (String part : probeId.split("[.-]")) {
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb.toString();
    }
}
