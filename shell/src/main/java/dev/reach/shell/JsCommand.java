package dev.reach.shell;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reach.core.playbook.SourcePos;
import dev.reach.core.script.Expr;
import dev.reach.core.script.ExprException;
import dev.reach.core.script.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Shell: {@code js EXPRESSION} evaluates JavaScript in the playbooks' sandbox over this session's results:
 * {@code last}, {@code history} (a list, oldest first), {@code steps.<id>} (the ids {@code save} gives),
 * {@code target} and {@code inputs} (the target's host and port).
 */
@Command(name = "js", mixinStandardHelpOptions = true,
        description = {"Evaluate a JavaScript expression over this session's results, in the playbooks' sandbox.",
                "Names: last, history[i], steps.<id> (as 'save' names them), inputs.host/port (the target).",
                "Each result reads like a playbook step: status, cause, summary, facts, evidence, verdict, steps."},
        footerHeading = "%nExamples:%n",
        footer = {"  js last.facts.connect_ms", "  js history.filter(r => r.status != 'ok').length",
                "  js steps.connect.cause == 'tcp.refused'"})
final class JsCommand implements Callable<Integer> {
    private final Session session;

    JsCommand(Session session) {
        this.session = session;
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "EXPRESSION", description = "JavaScript, like last.facts.connect_ms > 100.")
    List<String> words;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        try {
            Object value = session.evalJs(new Expr(String.join(" ", words), new SourcePos("js", 1, 1)), scope(session));
            out.println(value instanceof Map || value instanceof List ? new ObjectMapper().writeValueAsString(value)
                    : value instanceof String s ? s : Scope.text(value));
            out.flush();
            return ExitCodes.HEALTHY;
        } catch (ExprException e) {
            spec.commandLine().getErr().println("reach: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    /** The names an expression sees; results are the playbooks' {@code steps.<id>} shape. */
    static Scope scope(Session session) {
        List<Session.Entry> entries = session.entries();
        List<Object> history = entries.stream().map(e -> (Object) Session.view(e)).toList();
        Map<String, Object> steps = new LinkedHashMap<>();
        var ids = PlaybookWriter.stepIds(entries.stream().map(Session.Entry::request).toList());
        for (int i = 0; i < entries.size(); i++) steps.put(ids.get(i), history.get(i));
        Map<String, Object> inputs = new LinkedHashMap<>();
        session.target().ifPresent(t -> inputs.putAll(t.params()));
        Map<String, Object> locals = new LinkedHashMap<>();
        locals.put("last", history.isEmpty() ? null : history.getLast());
        locals.put("history", history);
        locals.put("target", session.target().map(HostPort::toString).orElse(null));
        return new Scope(inputs, steps, locals);
    }
}
