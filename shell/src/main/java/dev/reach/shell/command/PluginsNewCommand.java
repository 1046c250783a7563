package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.plugin.LoadedPlugin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code reach plugins new ID [--dir DIR]}: a new probe plugin, a Maven project that builds and tests against the SDK
 * inside this distribution ({@code sdk/repository}), with no reach checkout; see {@link PluginScaffold}.
 */
@Command(name = "new", mixinStandardHelpOptions = true,
        description = {"Make a new probe plugin: a Maven project with the probe, its tests, its descriptor and cause",
                "file, and a ./mvnw that finds a JDK 25. It builds against the SDK inside this distribution:",
                "no reach source is needed. The probe starts as a working one (it reads the first line a",
                "server sends): make it yours, then './mvnw package'. Nothing that exists is overwritten."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach plugins new smtp.banner                   # into ./reach-plugin-smtp",
                "  reach plugins new acme.greeting --dir acme-probe --package com.acme.reach",
                "  cd reach-plugin-smtp && ./mvnw package",
                "  reach plugins install target/reach-plugin-smtp-0.1.0.jar"})
final class PluginsNewCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The probe id, dotted lower-case <domain>.<action>: smtp.banner.")
    String probeId;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to make it; must not exist or be empty (default: ./reach-plugin-<plugin id>).")
    Path dir;

    @Option(names = "--plugin-id", paramLabel = "NAME", description = "The plugin's id (default: the probe id's domain: smtp).")
    String pluginId;

    @Option(names = "--package", paramLabel = "PKG", description = "Java package and Maven groupId (default: org.example.reach.<plugin id>).")
    String packageName;

    @Option(names = "--description", paramLabel = "TEXT", description = "One line that 'reach plugins' shows for it.")
    String description;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PluginScaffold.Names names;
        try {
            names = PluginScaffold.names(probeId, pluginId, packageName, description);
        } catch (IllegalArgumentException e) {
            err.println("reach: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        String home = System.getProperty("reach.home");
        Path sdk = home == null ? null : Path.of(home).toAbsolutePath().resolve("sdk");
        if (sdk == null || !Files.isDirectory(sdk.resolve("template")) || !Files.isDirectory(sdk.resolve("repository"))) {
            err.println("reach: this reach has no plugin SDK (" + (sdk == null ? "reach.home is not set" : sdk + " is missing")
                    + "); a distribution built by './mvnw package' in the reach source has one");
            return ExitCodes.INTERNAL;
        }
        Optional<String> clash = clash(names, Path.of(home));
        if (clash.isPresent()) {
            err.println("reach: " + clash.get());
            return ExitCodes.USAGE;
        }
        Path target = dir != null ? dir : Path.of(names.artifactId());
        List<Path> files;
        try {
            files = PluginScaffold.write(sdk.resolve("template"), target, names, sdk.resolve("repository").toUri());
        } catch (FileAlreadyExistsException e) {
            err.println("reach: " + e.getMessage() + "; choose another --dir");
            return ExitCodes.USAGE;
        }
        URI repo = sdk.resolve("repository").toUri();
        out.println("Made " + target + "/: probe " + names.probeId() + " in plugin " + names.pluginId() + " ("
                + names.packageName() + "." + names.className() + ")");
        for (Path f : files) {
            out.printf("  %-62s %s%n", f, role(f, names, repo));
        }
        String jar = "target/" + names.artifactId() + "-0.1.0.jar";
        out.println("Next:");
        out.println("  cd " + target);
        out.println("  ./mvnw package                                   # build and test: " + jar);
        out.println("  reach plugins install " + jar);
        out.println("  reach probe " + names.probeId() + " host=127.0.0.1 port=25");
        out.println("docs/plugins.md in the reach source tells the rest: specs, facts, cause codes, the test kit.");
        return ExitCodes.HEALTHY;
    }

    /** A probe or plugin id already taken by a plugin this reach loads (built in or installed): it would be refused. */
    private static Optional<String> clash(PluginScaffold.Names names, Path home) {
        Reach.Builder b = Reach.builder().warmScripts(false).pluginDirectory(home.resolve("plugins"));
        Path user = PluginsInstallCommand.userPluginDirectory();
        if (Files.isDirectory(user)) b.pluginDirectory(user);
        try (Reach reach = b.build()) {
            for (LoadedPlugin p : reach.plugins()) {
                if (p.id().equals(names.pluginId())) {
                    return Optional.of("plugin id '" + names.pluginId() + "' is taken by " + p.path()
                            + "; choose another with --plugin-id (reach would refuse a second plugin of that id)");
                }
                if (p.probeIds().contains(names.probeId())) {
                    return Optional.of("probe id '" + names.probeId() + "' is taken by plugin '" + p.id() + "'; choose another id");
                }
            }
        }
        return Optional.empty();
    }

    private static String role(Path f, PluginScaffold.Names n, URI repo) {
        String name = f.getFileName().toString();
        return switch (name) {
            case "pom.xml" -> "builds against the SDK in " + repo.getPath();
            case "mvnw" -> "Maven, on a JDK 25 found as reach finds one";
            case "plugin.properties" -> "plugin id " + n.pluginId() + ", version, the engine it needs";
            case "reach-causes.tsv" -> "its own cause code, " + n.causeCode();
            case "SpecsTest.java" -> "loads it as reach will (a mistake fails the build)";
            default -> name.equals(n.className() + ".java") ? "the probe: spec, run, classify"
                    : name.equals(n.className() + "Test.java") ? "its tests against real loopback servers" : "";
        };
    }
}
