package dev.reach.shell.command;

import dev.reach.core.Reach;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What an engine is built from, besides what the process fixes (the launcher's plugins, the user's plugin folder,
 * REACH_PLUGINS): the {@code --plugins} directories and whether the script engine starts at once. Equal set-ups
 * build the same engine in one process, so the resident reach keeps one per set-up and a command takes the one
 * {@link HeadStart} began for it.
 */
public record EngineSetup(List<Path> pluginDirs, boolean scripted) {
    public EngineSetup {
        pluginDirs = List.copyOf(pluginDirs);
    }

    /**
     * The engine, with plugins from the distribution (built in: no other plugin takes their probe ids), the user's
     * plugin folder, REACH_PLUGINS and --plugins.
     */
    public Reach build() {
        return build(null);
    }

    /** The same engine for a run of the one probe {@code onlyProbe} (null: any): it may load only that probe's plugin. */
    public Reach build(String onlyProbe) {
        Reach.Builder b = Reach.builder().warmScripts(scripted).onlyProbe(onlyProbe);
        String home = System.getProperty("reach.home");
        String devPlugins = System.getProperty("reach.dev.plugins"); // the launcher's REACH_DEV=1: the source tree
        if (devPlugins != null) {
            b.development(true).builtInPluginDirectory(Path.of(devPlugins));
        } else if (home != null) {
            b.builtInPluginDirectory(Path.of(home).resolve("plugins"));
        }
        Path user = PluginsInstallCommand.userPluginDirectory(); // 'reach plugins install' puts jars here
        if (Files.isDirectory(user)) {
            b.pluginDirectory(user);
        }
        b.playbookDirectory(playbooksDir()); // a saved playbook includes the installed ones by name
        b.pluginPath(System.getenv("REACH_PLUGINS"));
        pluginDirs.forEach(b::pluginDirectory);
        return b.build();
    }

    /** The plugin folders an engine loads besides the distribution's and --plugins: the user's, then REACH_PLUGINS'. */
    public static List<Path> userPluginFolders() {
        List<Path> out = new java.util.ArrayList<>(List.of(PluginsInstallCommand.userPluginDirectory()));
        String more = System.getenv("REACH_PLUGINS");
        if (more != null) {
            for (String d : more.split(":")) {
                if (!d.isBlank()) out.add(Path.of(d.strip()));
            }
        }
        return out;
    }

    /** The distribution's playbooks folder (reach.home), else the one in the working directory (a source tree). */
    public static Path playbooksDir() {
        String home = System.getProperty("reach.home");
        return home != null ? Path.of(home, "playbooks") : Path.of("playbooks");
    }
}
