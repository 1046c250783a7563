package dev.reach.shell.command;

import dev.reach.shell.docs.Completions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code reach completion bash|zsh|fish}: a completion script for the shell, written from the command tree and the
 * probes' specs ({@link Completions}).
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a completion script for bash, zsh or fish: commands, options and their values, probe ids, each",
                "probe's parameters and their values, installed playbooks and their inputs, cause codes. Made from the probes",
                "reach loads now: make it again after installing a plugin."},
        footerHeading = "%nExamples:%n",
        footer = {"  source <(reach completion bash)                        # in ~/.bashrc",
                "  reach completion zsh > \"$${fpath[1]}/_reach\"            # then: compinit",
                "  reach completion fish > ~/.config/fish/completions/reach.fish"})
public final class CompletionCommand implements Callable<Integer> {
    private final Workbench bench;

    CompletionCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash, zsh or fish.")
    Completions.Shell shell;

    @Override
    public Integer call() throws Exception {
        String script = bench.withReach(new CommonOptions(),
                reach -> Completions.of(shell, HelpCommand.reference(spec.root().commandLine(), reach)));
        var out = spec.commandLine().getOut();
        out.print(script);
        out.flush();
        return ExitCodes.HEALTHY;
    }
}
