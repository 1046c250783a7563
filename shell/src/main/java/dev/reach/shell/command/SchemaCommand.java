package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.playbook.ParamBinder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code reach schema playbook}: the JSON Schema editors check and complete playbooks with, written by the engine
 * from the loader's keys and the loaded probes' specs ({@link Reach#playbookSchema()}).
 */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = {"Print a JSON Schema for editors: 'playbook' lets any editor that runs the yaml-language-server "
                + "complete and check playbooks (step kinds, probe ids, each probe's parameters and values, causes). "
                + "It is written from the probes of the loaded plugins: --plugins DIR adds theirs."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach schema playbook > playbook.schema.json",
                "  then, as the first line of a playbook (a path relative to it, or a URL):",
                "  # yaml-language-server: $$schema=playbook.schema.json"})
public final class SchemaCommand implements Callable<Integer> {
    /** The schemas it prints, by the name given on the command line. */
    private static final Map<String, Function<Reach, String>> KINDS = Map.of("playbook", Reach::playbookSchema);

    private final Workbench bench;

    SchemaCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND", completionCandidates = Kinds.class,
            description = "Which schema: ${COMPLETION-CANDIDATES}.")
    String kind;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Function<Reach, String> schema = KINDS.get(kind);
        if (schema == null) {
            spec.commandLine().getErr().println("reach: unknown schema kind '" + kind + "'" + ParamBinder.closest(kind, names())
                    .map(c -> "; did you mean '" + c + "'?").orElse("") + " (allowed: " + String.join(", ", names()) + ")");
            return ExitCodes.USAGE;
        }
        PrintWriter out = spec.commandLine().getOut();
        return bench.withReach(common, reach -> {
            out.print(schema.apply(reach));
            out.flush();
            return ExitCodes.HEALTHY;
        });
    }

    private static List<String> names() {
        return KINDS.keySet().stream().sorted().toList();
    }

    /** The kinds, for completion and help. */
    static final class Kinds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return names().iterator();
        }
    }
}
