package dev.reach.shell.repl;

import dev.reach.shell.command.CommonOptions;
import dev.reach.shell.command.NameLookups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code reach shell} (and {@code reach} alone on a terminal): the interactive shell. */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"Open the interactive shell: probes, playbooks and diagnoses, Tab-completed.",
                "Set a target, look at results, and save the session as a playbook. 'help' inside lists the commands."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach shell", "  reach shell --plugins plugins/dns/target --no-color"})
public final class ShellCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        NameLookups.fresh();
        return Repl.run(common); // the first reference to JLine: headless commands never load it
    }
}
