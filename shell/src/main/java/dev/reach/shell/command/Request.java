package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.UsageException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One thing to run, as the user asked for it: what the shell records, replays and saves as a playbook step. */
public sealed interface Request {
    RunResult run(Reach reach, RunOptions options) throws UsageException, PlaybookException;

    /**
     * JavaScript playbooks need the script engine: start it at once, in the background. YAML playbooks whose
     * expressions stay in the Java-side subset (all the shipped ones) never need it; one that does starts it
     * while it is validated, before any step runs.
     */
    boolean scripted();

    /** The one probe this request runs, or null when it may run any: its engine then loads only that probe's plugin. */
    default String onlyProbe() {
        return null;
    }

    /** {@code probe ID k=v...}; {@code params} are the raw words' values, as typed. */
    record ProbeRequest(String id, Map<String, Object> params) implements Request {
        public ProbeRequest {
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        @Override
        public RunResult run(Reach reach, RunOptions options) throws UsageException {
            return reach.probe(id, params, options);
        }

        @Override
        public String onlyProbe() {
            return id;
        }

        @Override
        public boolean scripted() {
            return false;
        }
    }

    /**
     * {@code run FILE k=v...}: a playbook with raw inputs; {@code around} adds to its run options (where steps marked
     * {@code on: server} run) and amends its result before anything reads it (the server's view joined in by {@code
     * --server-via}); {@link Around#NONE} otherwise.
     */
    record PlaybookRequest(Path file, Map<String, Object> inputs, Around around) implements Request {
        public PlaybookRequest {
            inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        }

        public PlaybookRequest(Path file, Map<String, Object> inputs) {
            this(file, inputs, Around.NONE);
        }

        @Override
        public RunResult run(Reach reach, RunOptions options) throws UsageException, PlaybookException {
            return around.result().apply(reach.run(reach.load(file), inputs, around.options().apply(options)));
        }

        @Override
        public boolean scripted() {
            return file.getFileName() != null && file.getFileName().toString().endsWith(".js");
        }
    }

    /** What a request adds to its run's options, and how it amends its result. */
    record Around(java.util.function.UnaryOperator<RunOptions> options, java.util.function.UnaryOperator<RunResult> result) {
        public static final Around NONE = new Around(java.util.function.UnaryOperator.identity(), java.util.function.UnaryOperator.identity());
    }
}
