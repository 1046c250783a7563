package dev.reach.shell;

import dev.reach.core.Reach;
import dev.reach.spi.ParamType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Options every command that runs something takes: where plugins are, how to print. */
final class CommonOptions {
    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugins from DIR (repeatable).")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--no-color", description = "No colours (also when NO_COLOR is set or output is not a terminal).")
    boolean noColor;

    @Option(names = {"-q", "--quiet"}, description = "Print only the verdict (or nothing with --json).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print every fact and evidence line, and stack traces of internal errors.")
    boolean verbose;

    /** The engine, with plugins from the distribution, the user's plugin folder, REACH_PLUGINS and --plugins. */
    Reach reach(boolean warmScripts) {
        Reach.Builder b = Reach.builder().warmScripts(warmScripts);
        String home = System.getProperty("reach.home");
        String devPlugins = System.getProperty("reach.dev.plugins"); // the launcher's REACH_DEV=1: the source tree
        if (devPlugins != null) {
            b.development(true).pluginDirectory(Path.of(devPlugins));
        } else if (home != null) {
            b.pluginDirectory(Path.of(home).resolve("plugins"));
        }
        Path user = PluginsInstallCommand.userPluginDirectory(); // 'reach plugins install' puts jars here
        if (java.nio.file.Files.isDirectory(user)) {
            b.pluginDirectory(user);
        }
        b.pluginPath(System.getenv("REACH_PLUGINS"));
        pluginDirs.forEach(b::pluginDirectory);
        return b.build();
    }

    /** Parses {@code 500ms}, {@code 3s}, {@code 1m}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return (Duration) ParamType.DURATION.convert(value);
        }
    }
}
