package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.spi.ParamType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Options every command that loads the engine takes: where plugins are, colours, how much to say. */
public final class CommonOptions {
    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugins from DIR (repeatable).")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--no-color", description = "No colours (also when NO_COLOR is set or output is not a terminal).")
    public boolean noColor;

    @Option(names = {"-v", "--verbose"}, description = "Print every fact and evidence line, and stack traces of internal errors.")
    boolean verbose;

    /** The engine, with plugins from the distribution, the user's plugin folder, REACH_PLUGINS and --plugins. */
    public Reach reach(boolean warmScripts) {
        return setup(warmScripts).build();
    }

    /** What engine these options ask for: two equal set-ups build the same engine in one process. */
    public EngineSetup setup(boolean scripted) {
        return new EngineSetup(pluginDirs, scripted);
    }

    /** The same with {@code --plugins} directories as {@code resolve} says (a resident reach: against its client's directory). */
    public EngineSetup setup(boolean scripted, UnaryOperator<Path> resolve) {
        return new EngineSetup(pluginDirs.stream().map(resolve).toList(), scripted);
    }

    /** Parses {@code 500ms}, {@code 3s}, {@code 1m}. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return (Duration) ParamType.DURATION.convert(value);
        }
    }
}
