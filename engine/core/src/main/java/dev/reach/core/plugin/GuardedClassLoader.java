package dev.reach.core.plugin;

import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;

/**
 * A plugin's class loader that reads each class it defines before defining it, and refuses one that would end
 * the process ({@link ExitCalls}) with {@link EndsProcess}: whenever a plugin's class is loaded, at start or in the
 * middle of a run, it cannot call {@code System.exit}. Otherwise it finds classes as PF4J's does (the plugin's jar,
 * its classes directory and its libraries, in the order PF4J added them), and defines them with their jar's code
 * source and manifest.
 */
final class GuardedClassLoader extends PluginClassLoader {
    private final String plugin;
    /** The jars classes came from, opened once each (with multi-release versions) and closed with the loader. */
    private final Map<URL, JarFile> jars = new ConcurrentHashMap<>();
    private final Map<URL, ProtectionDomain> domains = new ConcurrentHashMap<>();

    GuardedClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
        super(manager, descriptor, parent);
        this.plugin = descriptor.getPluginId();
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = name.replace('.', '/') + ".class";
        URL url = findResource(path);
        if (url == null) {
            throw new ClassNotFoundException(name);
        }
        Found found;
        try {
            found = read(url, path);
        } catch (IOException | UncheckedIOException | URISyntaxException | IllegalArgumentException e) {
            throw new ClassNotFoundException(name, e);
        }
        try {
            var call = ExitCalls.find(found.bytes());
            if (call.isPresent()) {
                throw new EndsProcess(plugin, name, call.get());
            }
        } catch (IllegalArgumentException e) {
            // not a class file: defineClass says so, as it would have without this check
        }
        definePackageOf(name, found);
        return defineClass(name, found.bytes(), 0, found.bytes().length, domain(found.base()));
    }

    @Override
    public void close() throws IOException {
        try {
            for (JarFile jar : jars.values()) {
                jar.close();
            }
            jars.clear();
        } finally {
            super.close();
        }
    }

    /** A class file's bytes, where it came from (the jar or classes directory) and that jar's manifest. */
    private record Found(byte[] bytes, URL base, Manifest manifest) {}

    private Found read(URL url, String path) throws IOException, URISyntaxException {
        switch (url.getProtocol()) {
            case "jar" -> {
                String spec = url.getPath();           // file:/.../plugin.jar!/dev/x/Y.class
                int bang = spec.indexOf("!/");
                URL base = URI.create(spec.substring(0, bang)).toURL();
                JarFile jar = jars.computeIfAbsent(base, GuardedClassLoader::open);
                JarEntry entry = jar.getJarEntry(path);
                if (entry == null) {
                    throw new IOException("no " + path + " in " + base);
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    return new Found(in.readAllBytes(), base, jar.getManifest());
                }
            }
            case "file" -> {
                String spec = url.toString();
                URL base = URI.create(spec.substring(0, spec.length() - path.length())).toURL();
                return new Found(Files.readAllBytes(Path.of(url.toURI())), base, null);
            }
            default -> {
                try (InputStream in = url.openStream()) {
                    return new Found(in.readAllBytes(), null, null);
                }
            }
        }
    }

    private static JarFile open(URL jar) {
        try {
            return new JarFile(Path.of(jar.toURI()).toFile(), true, ZipFile.OPEN_READ, JarFile.runtimeVersion());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new MalformedURLException(e.getMessage()));
        }
    }

    private ProtectionDomain domain(URL base) {
        if (base == null) {
            return null;
        }
        return domains.computeIfAbsent(base, b -> new ProtectionDomain(new CodeSource(b, (CodeSigner[]) null), null, this, null));
    }

    /** Defines the class's package as URLClassLoader would: from its jar's manifest, when there is one. */
    private void definePackageOf(String className, Found found) {
        int dot = className.lastIndexOf('.');
        if (dot < 0) {
            return;
        }
        String pkg = className.substring(0, dot);
        if (getDefinedPackage(pkg) != null) {
            return;
        }
        try {
            if (found.manifest() != null) {
                definePackage(pkg, found.manifest(), found.base());
            } else {
                definePackage(pkg, null, null, null, null, null, null, null);
            }
        } catch (IllegalArgumentException e) {
            // defined meanwhile by another thread
        }
    }
}
