package dev.reach.shell.repl;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reach.core.report.Visible;
import dev.reach.core.run.EvalResult;
import dev.reach.core.script.Scope;
import dev.reach.shell.command.ExitCodes;
import dev.reach.shell.command.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Shell: {@code js CODE} evaluates JavaScript in the JS playbooks' sandbox, with their host API
 * ({@code probe}, {@code parallel}, {@code include}, {@code log}, {@code sleep}) and this session's results:
 * {@code last}, {@code history} (a list, oldest first), {@code steps.<id>} (the ids {@code save} gives),
 * {@code target} and {@code inputs} (the target's host and port). Probes it runs join the history.
 */
@Command(name = "js", mixinStandardHelpOptions = true,
        description = {"Evaluate JavaScript in the playbooks' sandbox: probe() and the rest of their API, and this session's results.",
                "Names: last, history[i], steps.<id> (as 'save' names them), inputs.host/port (the target).",
                "Each result reads like a playbook step: status, cause, summary, facts, evidence, verdict, steps.",
                "Statements may come first; the last expression is printed. Probes run here join the history; Ctrl-C stops it."},
        footerHeading = "%nExamples:%n",
        footer = {"  js last.facts.connect_ms", "  js history.filter(r => r.status != 'ok').length",
                "  js probe('tcp.connect', {host: '127.0.0.1', port: 22}).status",
                "  js [22, 80].map(port => probe('tcp.connect', {host: '127.0.0.1', port}).status)"})
final class JsCommand implements Callable<Integer> {
    private final Session session;

    JsCommand(Session session) {
        this.session = session;
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CODE", description = "JavaScript, like last.facts.connect_ms > 100.")
    List<String> words;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        EvalResult r = session.evalJs(String.join(" ", words), names(session), err);
        if (!r.ok()) {
            err.println("reach: " + r.error());
            return r.cancelled() ? ExitCodes.INTERRUPTED : ExitCodes.USAGE;
        }
        Object value = r.value();
        // a value may quote what a server said: it must not act on the terminal
        out.println(Visible.text(value instanceof Map || value instanceof List ? new ObjectMapper().writeValueAsString(value)
                : value instanceof String s ? s : Scope.text(value)));
        out.flush();
        return ExitCodes.HEALTHY;
    }

    /** The names the code sees; results are the playbooks' {@code steps.<id>} shape. */
    static Map<String, Object> names(Session session) {
        List<Session.Entry> entries = session.entries();
        List<Object> history = entries.stream().map(e -> (Object) Session.view(e)).toList();
        Map<String, Object> steps = new LinkedHashMap<>();
        var ids = PlaybookWriter.stepIds(entries.stream().map(Session.Entry::request).toList());
        for (int i = 0; i < entries.size(); i++) steps.put(ids.get(i), history.get(i));
        Map<String, Object> inputs = new LinkedHashMap<>();
        session.target().ifPresent(t -> inputs.putAll(t.params()));
        Map<String, Object> names = new LinkedHashMap<>();
        names.put("inputs", inputs);
        names.put("steps", steps);
        names.put("last", history.isEmpty() ? null : history.getLast());
        names.put("history", history);
        names.put("target", session.target().map(HostPort::toString).orElse(null));
        return names;
    }
}
