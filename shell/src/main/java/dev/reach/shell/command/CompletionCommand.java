package dev.reach.shell.command;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code reach completion bash|zsh}: a completion script for the shell, generated from the command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a completion script for bash or zsh (commands and options; probe ids come from 'reach probes')."},
        footerHeading = "%nExamples:%n",
        footer = {"  source <(reach completion bash)            # in ~/.bashrc",
                "  reach completion zsh > \"$${fpath[1]}/_reach\"  # or: source <(reach completion zsh) in ~/.zshrc"})
public final class CompletionCommand implements Callable<Integer> {
    /** The shells the script supports. */
    enum Kind { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    Kind shell;

    @Override
    public Integer call() {
        // picocli's script serves both: under zsh it loads bashcompinit itself
        String script = AutoComplete.bash("reach", spec.root().commandLine());
        var out = spec.commandLine().getOut();
        out.print(script);
        out.flush();
        return ExitCodes.HEALTHY;
    }
}
