package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.plugin.LoadedPlugin;
import dev.reach.core.plugin.PluginProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * {@code reach plugins install [--force] JAR}: checks that the jar loads beside the plugins already
 * found (engine version, probes, no clash of plugin or probe id), then copies it into the user's plugin
 * folder. Never replaces an installed plugin without {@code --force}.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Install a plugin jar into ${XDG_DATA_HOME:-~/.local/share}/reach/plugins after checking that it loads.",
                "Refuses a jar that needs a newer engine, declares no probes, or clashes with an installed plugin or probe."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach plugins install target/acme-probes-1.0.0.jar", "  reach plugins install --force acme-probes-1.0.1.jar"})
final class PluginsInstallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JAR", description = "The plugin jar.")
    Path jar;

    @Option(names = "--force", description = "Replace an installed plugin with the same file name or plugin id.")
    boolean force;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also check against the plugins in DIR (repeatable).")
    List<Path> pluginDirs = new ArrayList<>();

    /** The user's plugin folder, searched after the distribution's own. */
    static Path userPluginDirectory() {
        String data = System.getenv("XDG_DATA_HOME");
        Path base = data != null && !data.isBlank() ? Path.of(data) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("reach").resolve("plugins");
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
            err.println("reach: " + jar + " is not a .jar file");
            return ExitCodes.USAGE;
        }
        Optional<String> id = pluginId(jar);
        if (id.isEmpty()) {
            err.println("reach: " + jar + " has no plugin descriptor (plugin.properties with plugin.id); see docs/plugins.md");
            return ExitCodes.FAULT;
        }
        Path target = userPluginDirectory();
        List<Path> replaced = installedAs(target, jar.getFileName().toString(), id.get());
        if (!replaced.isEmpty() && !force) {
            err.println("reach: plugin '" + id.get() + "' is already installed as " + replaced.getFirst() + "; use --force to replace it");
            return ExitCodes.FAULT;
        }
        Path staging = Files.createTempDirectory("reach-install");
        try {
            stage(target, replaced, staging);
            Files.copy(jar, staging.resolve(jar.getFileName()));
            Reach.Builder b = Reach.builder().warmScripts(false).pluginDirectory(staging);
            String home = System.getProperty("reach.home");
            if (home != null) b.pluginDirectory(Path.of(home).resolve("plugins"));
            pluginDirs.forEach(b::pluginDirectory);
            try (Reach reach = b.build()) {
                List<PluginProblem> mine = reach.pluginProblems().stream().filter(p -> concerns(p, id.get(), staging, jar)).toList();
                Optional<LoadedPlugin> loaded = reach.plugins().stream().filter(p -> p.id().equals(id.get())).findFirst();
                if (!mine.isEmpty() || loaded.isEmpty()) {
                    err.println("reach: not installed: " + jar + " does not load cleanly");
                    mine.forEach(p -> err.println("  ✘ " + p.source() + ": " + p.message()));
                    return ExitCodes.FAULT;
                }
                Files.createDirectories(target);
                Path tmp = Files.createTempFile(target, ".installing-", ".jar");
                Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                Path dest = target.resolve(jar.getFileName());
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                for (Path old : replaced) {
                    if (!old.equals(dest)) Files.deleteIfExists(old);
                }
                LoadedPlugin p = loaded.get();
                out.println("installed " + p.id() + " " + p.version() + " (probes: " + String.join(", ", p.probeIds()) + ") to " + dest);
                out.println("its probes show in shell completion once the script is made again: reach completion bash|zsh|fish");
                return ExitCodes.HEALTHY;
            }
        } finally {
            try (Stream<Path> files = Files.walk(staging)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The installed jars this one would replace: the same file name, or the same plugin id. */
    private static List<Path> installedAs(Path dir, String fileName, String id) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                if (f.getFileName().toString().equals(fileName) || pluginId(f).filter(id::equals).isPresent()) out.add(f);
            }
        }
        return out;
    }

    /** The installed plugins that stay, beside the candidate, so clashes with them show. */
    private static void stage(Path installed, List<Path> replaced, Path staging) throws IOException {
        if (!Files.isDirectory(installed)) return;
        try (Stream<Path> files = Files.list(installed)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".jar") && !replaced.contains(f)).toList()) {
                Files.copy(f, staging.resolve(f.getFileName()));
            }
        }
    }

    private static boolean concerns(PluginProblem p, String id, Path staging, Path jar) {
        String text = p.source() + " " + p.message();
        return p.source().equals(id) || text.contains(staging.resolve(jar.getFileName()).toString()) || text.contains("'" + id + "'");
    }

    /** The plugin id from the jar's plugin.properties or its manifest's Plugin-Id. */
    static Optional<String> pluginId(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            var entry = jf.getEntry("plugin.properties");
            if (entry != null) {
                Properties props = new Properties();
                try (InputStream in = jf.getInputStream(entry)) {
                    props.load(in);
                }
                return Optional.ofNullable(props.getProperty("plugin.id")).map(String::trim).filter(s -> !s.isEmpty());
            }
            var manifest = jf.getManifest();
            return manifest == null ? Optional.empty()
                    : Optional.ofNullable(manifest.getMainAttributes().getValue("Plugin-Id")).map(String::trim);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
