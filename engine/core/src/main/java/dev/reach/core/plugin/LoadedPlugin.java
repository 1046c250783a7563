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
 */
public record LoadedPlugin(String id, String version, String provider, String description, Path path,
                           List<String> probeIds) {

    public LoadedPlugin {
        Objects.requireNonNull(id);
        Objects.requireNonNull(version);
        provider = Objects.requireNonNullElse(provider, "");
        description = Objects.requireNonNullElse(description, "");
        Objects.requireNonNull(path);
        probeIds = List.copyOf(probeIds);
    }
}
