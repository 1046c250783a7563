package dev.reach.shell.repl;

import dev.reach.shell.command.DiagnoseCommand;
import dev.reach.shell.command.PluginsCommand;
import dev.reach.shell.command.ProbeCommand;
import dev.reach.shell.command.ProbesCommand;
import dev.reach.shell.command.RunCommand;
import picocli.CommandLine.Command;

/**
 * The command tree inside the shell: the CLI's own {@code probe}, {@code run}, {@code diagnose},
 * {@code probes} and {@code plugins} (the same classes, running on the session), and the shell's commands.
 * A line that starts with a probe id runs that probe (see {@link Shell#words}).
 */
@Command(name = "reach", subcommands = {ProbeCommand.class, DiagnoseCommand.class, RunCommand.class, TargetCommand.class,
        LastCommand.class, HistoryCommand.class, SaveCommand.class, JsCommand.class, ProbesCommand.class,
        PluginsCommand.class, ShellHelpCommand.class, ExitCommand.class})
final class ShellCommands {
}
