package dev.reach.core.plugin;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A plugin that loaded and started, as {@code reach plugins} lists it.
 *
 * @param id          the plugin id from its descriptor
 * @param version     its version
 * @param provider    who made it, or empty
 * @param description one line, or empty
 * @param path        the jar, plugin directory or (in development mode) module directory it came from
 * @param probeIds    the probes it registered, sorted; a probe refused for a problem is not among them
 * @param causeCodes  the cause codes its {@code reach-causes.tsv} adds to the catalogue, in its order
 */
public record LoadedPlugin(String id, String version, String provider, String description, Path path,
                           List<String> probeIds, List<String> causeCodes) {

    /** A plugin that adds no cause codes of its own. */
    public LoadedPlugin(String id, String version, String provider, String description, Path path, List<String> probeIds) {
        this(id, version, provider, description, path, probeIds, List.of());
    }

    public LoadedPlugin {
        Objects.requireNonNull(id);
        Objects.requireNonNull(version);
        provider = Objects.requireNonNullElse(provider, "");
        description = Objects.requireNonNullElse(description, "");
        Objects.requireNonNull(path);
        probeIds = List.copyOf(probeIds);
        causeCodes = List.copyOf(causeCodes);
    }
}
