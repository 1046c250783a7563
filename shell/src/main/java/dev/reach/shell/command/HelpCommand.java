package dev.reach.shell.command;

import dev.reach.shell.docs.ManPage;
import dev.reach.shell.docs.Reference;
import dev.reach.shell.docs.Topics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code reach help [COMMAND... | TOPIC] [--man]}: a command's usage, as {@code COMMAND --help} gives it; a topic
 * ({@link Topics}: exit codes, environment, files, output, targets); the list of both; or, with {@code --man}, the
 * whole reach(1) page in roff, written from the same command tree and probe specs.
 */
@Command(name = "help", mixinStandardHelpOptions = true, helpCommand = true,
        description = {"Show a command's usage, a help topic, or (--man) the whole manual page."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach help probe", "  reach help plugins new", "  reach help exit-codes", "  reach help --man | man -l -"})
public final class HelpCommand implements Callable<Integer> {
    private final Workbench bench;

    HelpCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "COMMAND|TOPIC", description = "A command (plugins new), or a topic: exit-codes, environment, files, output, targets.")
    List<String> words = List.of();

    @Option(names = "--man", description = "Print the manual page reach(1) in roff, for man -l.")
    boolean man;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CommandLine root = spec.root().commandLine();
        if (man) {
            String page = bench.withReach(new CommonOptions(), reach -> ManPage.of(reference(root, reach), LocalDate.now()));
            out.print(page);
            out.flush();
            return ExitCodes.HEALTHY;
        }
        if (words.isEmpty()) {
            root.usage(out);
            out.println();
            out.println("Topics (reach help TOPIC):");
            Topics.all().forEach(t -> out.printf("  %-12s %s%n", t.name(), t.summary()));
            return ExitCodes.HEALTHY;
        }
        Topics.Topic topic = words.size() == 1 ? Topics.find(words.getFirst()) : null;
        if (topic != null) {
            for (String line : topic.lines()) {
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    dev.reach.core.report.Wrap.lines(line, 80).forEach(out::println);
                    out.println();
                } else {
                    dev.reach.core.report.Wrap.hanging(String.format("  %-16s ", line.substring(0, tab)), " ".repeat(19),
                            line.substring(tab + 1), 80).forEach(out::println);
                }
            }
            return ExitCodes.HEALTHY;
        }
        CommandLine c = root;
        for (String w : words) {
            CommandLine sub = c.getSubcommands().get(w);
            if (sub == null) {
                err.println("reach: no command or help topic '" + String.join(" ", words) + "'; commands: "
                        + String.join(", ", root.getSubcommands().keySet()) + "; topics: "
                        + String.join(", ", Topics.all().stream().map(Topics.Topic::name).toList()));
                return ExitCodes.USAGE;
            }
            c = sub;
        }
        c.usage(out);
        return ExitCodes.HEALTHY;
    }

    /** The reference of this reach: its command tree, probes, causes and installed playbooks. */
    static Reference reference(CommandLine root, dev.reach.core.Reach reach) {
        return Reference.of(root, reach, EngineSetup.playbooksDir());
    }
}
