package dev.reach.core.plugin;

import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PropertiesPluginDescriptorFinder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * Reads a plugin's descriptor: {@code plugin.properties}, else {@code Plugin-Id} in the manifest; in development
 * mode {@code target/classes/plugin.properties} of a Maven module. Unlike PF4J's compound finder it logs nothing:
 * a missing or unreadable descriptor is a {@link PluginRefused} with a sentence for the user.
 */
final class DescriptorFinder implements PluginDescriptorFinder {
    static final String DEV_PROPERTIES = "target/classes/plugin.properties";

    private final boolean development;

    DescriptorFinder(boolean development) {
        this.development = development;
    }

    @Override
    public boolean isApplicable(Path pluginPath) {
        return Files.exists(pluginPath);
    }

    @Override
    public PluginDescriptor find(Path path) {
        if (development) {
            if (!Files.isRegularFile(path.resolve(DEV_PROPERTIES))) {
                throw new PluginRefused(path.toString(), "module '" + path + "' has no " + DEV_PROPERTIES
                        + "; build it first (./mvnw package)");
            }
            return new PropertiesPluginDescriptorFinder(DEV_PROPERTIES).find(path);
        }
        boolean jar = Files.isRegularFile(path);
        if (jar) {
            try (var _ = new JarFile(path.toFile())) {
                // readable: the finders below open it again
            } catch (IOException e) {
                throw new PluginRefused(path.toString(), "'" + path + "' is not a readable jar: " + PluginProblem.brief(e), e);
            }
        }
        if (has(path, jar, "plugin.properties")) {
            return new PropertiesPluginDescriptorFinder().find(path);
        }
        if (has(path, jar, JarFile.MANIFEST_NAME)) {
            PluginDescriptor d = new ManifestPluginDescriptorFinder().find(path);
            if (d.getPluginId() != null && !d.getPluginId().isBlank()) {
                return d;
            }
        }
        String hint = !jar && Files.exists(path.resolve("pom.xml"))
                ? "; it looks like a Maven module: load source trees in development mode"
                : ": add plugin.properties (plugin.id, plugin.version) or Plugin-Id and Plugin-Version to META-INF/MANIFEST.MF";
        throw new PluginRefused(path.toString(), "'" + path + "' has no plugin descriptor" + hint);
    }

    private static boolean has(Path path, boolean jar, String entry) {
        if (!jar) {
            return Files.isRegularFile(path.resolve(entry));
        }
        try (var file = new JarFile(path.toFile())) {
            return file.getEntry(entry) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
