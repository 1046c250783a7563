package dev.reach.shell.command;

import dev.reach.spi.ProbeSpec;

import javax.lang.model.SourceVersion;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A new probe plugin made from the template the distribution ships ({@code sdk/template}, the repository's
 * {@code templates/probe-plugin}): the template is a working plugin whose probe is {@code banner.read}, and a new one is
 * that plugin with every name that belongs to it replaced. The template is therefore its own scaffold's output: made
 * with {@link #TEMPLATE}'s names, it comes out unchanged but for the SDK's location.
 */
final class PluginScaffold {
    private static final Pattern PLUGIN_ID = Pattern.compile("[a-z][a-z0-9]*(?:-[a-z0-9]+)*");
    /** Where the template's pom says the SDK is: where the Debian package installs reach. */
    static final String TEMPLATE_SDK = "file:///opt/reach/sdk/repository";

    /**
     * The names a plugin is made of.
     *
     * @param probeId     {@code smtp.banner}
     * @param pluginId    {@code smtp}: unique among the plugins reach loads
     * @param className   {@code SmtpBannerProbe}: the id in PascalCase, then {@code Probe}
     * @param packageName {@code org.example.reach.smtp}; also the Maven groupId
     * @param provider    {@code example.org}: the package's first two parts, reversed
     * @param description what {@code reach plugins} shows
     */
    record Names(String probeId, String pluginId, String className, String packageName, String provider, String description) {
        String artifactId() {
            return "reach-plugin-" + pluginId;
        }

        String causeCode() {
            return pluginId + ".unexpected";
        }
    }

    /** The template's own names. */
    static final Names TEMPLATE = new Names("banner.read", "banner", "BannerReadProbe", "org.example.reach.banner", "example.org",
            "Reads the first line a server sends when a client connects.");

    private PluginScaffold() {
    }

    /**
     * The names for a probe id, each derived unless given.
     *
     * @throws IllegalArgumentException naming the value and what is allowed
     */
    static Names names(String probeId, String pluginId, String packageName, String description) {
        if (!ProbeSpec.ID.matcher(probeId).matches()) {
            throw new IllegalArgumentException("probe id '" + probeId + "' is not dotted lower-case <domain>.<action> "
                    + "(letters, digits, inner hyphens), e.g. smtp.banner");
        }
        String plugin = pluginId != null ? pluginId : probeId.substring(0, probeId.indexOf('.'));
        if (!PLUGIN_ID.matcher(plugin).matches()) {
            throw new IllegalArgumentException("--plugin-id '" + plugin + "' is not lower-case letters and digits with inner hyphens, e.g. acme");
        }
        String pkg = packageName != null ? packageName : "org.example.reach." + plugin.replace("-", "");
        if (!SourceVersion.isName(pkg) || !pkg.equals(pkg.toLowerCase(Locale.ROOT)) || !pkg.contains(".")) {
            throw new IllegalArgumentException("--package '" + pkg + "' is not a lower-case Java package name of two parts or more"
                    + " (no keyword as a part), e.g. com.acme.reach");
        }
        StringBuilder cls = new StringBuilder();
        for (String part : probeId.split("[.-]")) {
            cls.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        String[] parts = pkg.split("\\.");
        String provider = parts[1] + "." + parts[0];
        String desc = description != null ? description.strip() : "Probe " + probeId + ": reads the first line a server sends.";
        if (desc.isEmpty() || desc.contains("\n")) {
            throw new IllegalArgumentException("--description must be one line of text");
        }
        return new Names(probeId, plugin, cls + "Probe", pkg, provider, desc);
    }

    /**
     * Writes the plugin into {@code dir}, which must not exist or be empty: nothing there is overwritten.
     *
     * @param template the template folder
     * @param sdk      the SDK's Maven repository, written into the pom
     * @return the files written, relative to {@code dir}, in order
     */
    static List<Path> write(Path template, Path dir, Names names, URI sdk) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) throw new FileAlreadyExistsException(dir + " exists and is not a folder");
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) throw new FileAlreadyExistsException(dir + " is not empty; nothing was written");
            }
        }
        Map<String, String> words = replacements(names, sdk);
        List<Path> sources;
        try (Stream<Path> s = Files.walk(template)) {
            sources = s.filter(Files::isRegularFile).filter(f -> !template.relativize(f).startsWith("target")).sorted().toList();
        }
        List<Path> written = new ArrayList<>();
        for (Path source : sources) {
            Path rel = Path.of(replace(template.relativize(source).toString().replace('/', '\u0000'), paths(names)).replace('\u0000', '/'));
            Path dest = dir.resolve(rel);
            Files.createDirectories(dest.getParent());
            String text = Files.readString(source, StandardCharsets.UTF_8);
            Files.writeString(dest, replace(text, words), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            if (Files.isExecutable(source) || rel.getFileName().toString().equals("mvnw")) { // a copy may have lost the mode
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(dest);
                p.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
                Files.setPosixFilePermissions(dest, p);
            }
            written.add(rel);
        }
        return written;
    }

    /** The template's words and what they become, longest first so that no replacement eats part of another. */
    static Map<String, String> replacements(Names n, URI sdk) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("<reach.sdk>" + TEMPLATE_SDK + "</reach.sdk>", "<reach.sdk>" + sdk + "</reach.sdk>");
        m.put("<description>" + xml(TEMPLATE.description()) + "</description>", "<description>" + xml(n.description()) + "</description>");
        m.put(TEMPLATE.packageName(), n.packageName());
        m.put(TEMPLATE.artifactId(), n.artifactId());
        m.put(TEMPLATE.className(), n.className());
        m.put(TEMPLATE.causeCode(), n.causeCode());
        m.put(TEMPLATE.probeId(), n.probeId());
        m.put("plugin.id=" + TEMPLATE.pluginId(), "plugin.id=" + n.pluginId());
        m.put("plugin.provider=" + TEMPLATE.provider(), "plugin.provider=" + n.provider());
        m.put("reach plugin: " + TEMPLATE.pluginId(), "reach plugin: " + n.pluginId());
        return m;
    }

    /** Path words: the package's folders (split by NUL, which no path holds, so that a folder is matched whole) and the class files. */
    private static Map<String, String> paths(Names n) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TEMPLATE.packageName().replace('.', '\u0000'), n.packageName().replace('.', '\u0000'));
        m.put(TEMPLATE.className(), n.className());
        return m;
    }

    /** Replaces every word at once, scanning left to right, so that a replacement is never replaced again. */
    static String replace(String text, Map<String, String> words) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        int i = 0;
        outer:
        while (i < text.length()) {
            for (Map.Entry<String, String> w : words.entrySet()) {
                if (text.startsWith(w.getKey(), i)) {
                    out.append(w.getValue());
                    i += w.getKey().length();
                    continue outer;
                }
            }
            out.append(text.charAt(i++));
        }
        return out.toString();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
