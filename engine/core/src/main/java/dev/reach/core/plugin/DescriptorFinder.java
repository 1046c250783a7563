package dev.reach.core.plugin;

import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PropertiesPluginDescriptorFinder;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Reads a plugin's descriptor: {@code plugin.properties}, else {@code Plugin-Id} in the manifest; in development
 * mode {@code target/classes/plugin.properties} of a Maven module. Unlike PF4J's compound finder it logs nothing:
 * a missing or unreadable descriptor is a {@link PluginRefused} with a sentence for the user.
 */
final class DescriptorFinder implements PluginDescriptorFinder {
    static final String DEV_PROPERTIES = "target/classes/plugin.properties";
    private static final String PROPERTIES = PropertiesPluginDescriptorFinder.DEFAULT_PROPERTIES_FILE_NAME;
    private final FromProperties fromProperties = new FromProperties();
    private final FromManifest fromManifest = new FromManifest();

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
            // read once, here: PF4J's finders open a jar as a zip file system each, 5-10 ms a plugin at every start
            try (JarFile file = new JarFile(path.toFile())) {
                JarEntry properties = file.getJarEntry(PROPERTIES);
                if (properties != null) {
                    Properties p = new Properties();
                    try (var in = new InputStreamReader(file.getInputStream(properties), StandardCharsets.UTF_8)) {
                        p.load(in);
                    }
                    return fromProperties.descriptor(p);
                }
                Manifest manifest = file.getManifest();
                PluginDescriptor d = manifest == null ? null : fromManifest.descriptor(manifest);
                if (d != null && hasId(d)) {
                    return d;
                }
            } catch (IOException e) {
                throw new PluginRefused(path.toString(), "'" + path + "' is not a readable jar: " + PluginProblem.brief(e), e);
            }
        } else if (Files.isRegularFile(path.resolve(PROPERTIES))) {
            return new PropertiesPluginDescriptorFinder().find(path);
        } else if (Files.isRegularFile(path.resolve(JarFile.MANIFEST_NAME))) {
            PluginDescriptor d = new ManifestPluginDescriptorFinder().find(path);
            if (hasId(d)) {
                return d;
            }
        }
        String hint = !jar && Files.exists(path.resolve("pom.xml"))
                ? "; it looks like a Maven module: load source trees in development mode"
                : ": add plugin.properties (plugin.id, plugin.version) or Plugin-Id and Plugin-Version to META-INF/MANIFEST.MF";
        throw new PluginRefused(path.toString(), "'" + path + "' has no plugin descriptor" + hint);
    }

    private static boolean hasId(PluginDescriptor d) {
        return d.getPluginId() != null && !d.getPluginId().isBlank();
    }

    /** PF4J's reading of plugin.properties, given the properties. */
    private static final class FromProperties extends PropertiesPluginDescriptorFinder {
        PluginDescriptor descriptor(Properties p) {
            return createPluginDescriptor(p);
        }
    }

    /** PF4J's reading of a manifest's Plugin-* attributes, given the manifest. */
    private static final class FromManifest extends ManifestPluginDescriptorFinder {
        PluginDescriptor descriptor(Manifest m) {
            return createPluginDescriptor(m);
        }
    }
}
