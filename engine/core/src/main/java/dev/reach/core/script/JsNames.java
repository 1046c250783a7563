package dev.reach.core.script;

import dev.reach.core.playbook.JsModule;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.playbook.Problem;
import dev.reach.core.playbook.SourcePos;
import dev.reach.core.playbook.ParamBinder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names a JS playbook writes as literals — {@code probe('tcp.connect', ...)}, {@code cause: 'tcp.refused'},
 * {@code include('connect.yaml', ...)} — checked when it loads, so a typo is a file:line:col error before
 * anything runs, as in YAML. Names computed at run time are checked when the call is made.
 */
final class JsNames {
    private static final Pattern PROBE = Pattern.compile("(?<![\\w$.])(?:probe\\s*\\(|probe\\s*:)\\s*(['\"])([^'\"\\n]+)\\1");
    private static final Pattern CAUSE = Pattern.compile("(?<![\\w$.])cause\\s*:\\s*(['\"])([^'\"\\n]+)\\1");
    private static final Pattern INCLUDE = Pattern.compile("(?<![\\w$.])include\\s*\\(\\s*(['\"])([^'\"\\n]+)\\1");

    private JsNames() {
    }

    static void check(Playbook pb, Collection<String> probeIds, Collection<String> causes) throws PlaybookException {
        JsModule m = pb.script();
        List<Problem> problems = new ArrayList<>();
        each(PROBE, m, (name, pos) -> {
            if (!probeIds.contains(name)) {
                problems.add(new Problem(pos, "unknown probe '" + name + "'" + ParamBinder.closest(name, probeIds)
                        .map(c -> "; did you mean '" + c + "'?").orElse("") + " (see 'reach probes' for the list)"));
            }
        });
        each(CAUSE, m, (name, pos) -> {
            if (!causes.contains(name)) {
                problems.add(new Problem(pos, "unknown cause '" + name + "'" + ParamBinder.closest(name, causes)
                        .map(c -> "; did you mean '" + c + "'?").orElse("") + " ('reach causes' lists them)"));
            }
        });
        each(INCLUDE, m, (name, pos) -> {
            Path dir = m.path().getParent();
            if (!Files.isRegularFile(dir == null ? Path.of(name) : dir.resolve(name))) {
                problems.add(new Problem(pos, "included playbook '" + name + "' does not exist (paths are relative to this file)"));
            }
        });
        if (!problems.isEmpty()) throw new PlaybookException(problems);
    }

    static JsPlaybooks.Names of(JsModule m) {
        JsPlaybooks.Names n = new JsPlaybooks.Names(new java.util.TreeSet<>(), new java.util.TreeSet<>(), new java.util.TreeSet<>());
        each(PROBE, m, (name, pos) -> n.probes().add(name));
        each(CAUSE, m, (name, pos) -> n.causes().add(name));
        each(INCLUDE, m, (name, pos) -> n.includes().add(name));
        return n;
    }

    private interface Found {
        void at(String name, SourcePos pos);
    }

    private static void each(Pattern p, JsModule m, Found found) {
        Matcher matcher = p.matcher(m.text());
        while (matcher.find()) {
            int start = matcher.start(2);
            String before = m.text().substring(0, start);
            int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
            found.at(matcher.group(2), new SourcePos(m.name(), line, start - before.lastIndexOf('\n')));
        }
    }
}
