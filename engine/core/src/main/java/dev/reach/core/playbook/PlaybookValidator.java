package dev.reach.core.playbook;

import dev.reach.core.playbook.Step.Arg;

import dev.reach.spi.Param;
import dev.reach.spi.ProbeSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks every name in a loaded playbook before anything runs: probes, parameters (names and literal
 * values), step ids, jump targets and loop bounds, cause codes, expression syntax and the names
 * expressions refer to. All problems are reported at once, each with file:line:column and a fix.
 */
public final class PlaybookValidator {
    private static final Pattern STEP_REF = Pattern.compile("(?<![\\w$.])steps\\s*\\.\\s*([A-Za-z_$][\\w$]*)");
    private static final Pattern INPUT_REF = Pattern.compile("(?<![\\w$.])inputs\\s*\\.\\s*([A-Za-z_$][\\w$]*)");

    private final Function<String, java.util.Optional<ProbeSpec>> probes;
    private final Collection<String> probeIds;
    private final Collection<String> causes;
    private final ExprChecker expressions;

    /**
     * @param probes      looks up a probe's spec by id
     * @param probeIds    every probe id (for "did you mean")
     * @param causes      every known cause code
     * @param expressions checks expression syntax
     */
    public PlaybookValidator(Function<String, java.util.Optional<ProbeSpec>> probes, Collection<String> probeIds,
                             Collection<String> causes, ExprChecker expressions) {
        this.probes = probes;
        this.probeIds = probeIds;
        this.causes = causes;
        this.expressions = expressions;
    }

    /** Throws with every problem found; returns normally when the playbook can run. */
    public void validate(Playbook playbook) throws PlaybookException {
        List<Problem> problems = new ArrayList<>();
        check(playbook, problems);
        if (!problems.isEmpty()) {
            throw new PlaybookException(problems);
        }
    }

    private void check(Playbook pb, List<Problem> problems) {
        new Pass(pb, problems).run();
    }

    /** One playbook's checks. */
    private final class Pass {
        private final Playbook pb;
        private final List<Problem> problems;
        private final Set<String> ids = new HashSet<>();

        Pass(Playbook pb, List<Problem> problems) {
            this.pb = pb;
            this.problems = problems;
        }

        void run() {
            collectIds(pb.steps());
            for (int i = 0; i < pb.steps().size(); i++) {
                Step s = pb.steps().get(i);
                step(s, List.of());
                branches(s, i);
            }
        }

        private void collectIds(List<Step> steps) {
            for (Step s : steps) {
                if (!ids.add(s.id()) && !s.id().equals("?")) {
                    add(s.pos(), "step id '" + s.id() + "' is used twice; step ids must be unique in a playbook");
                }
                if (s instanceof Step.ParallelStep p) collectIds(p.branches());
            }
        }

        private void step(Step s, List<String> locals) {
            s.common().condition().ifPresent(e -> expr(e, locals));
            switch (s) {
                case Step.ProbeStep p -> probe(p, locals);
                case Step.ForEachStep f -> {
                    f.items().exprs().forEach(e -> expr(e, locals));
                    List<String> inner = new ArrayList<>(locals);
                    inner.add(f.as());
                    probe(f.body(), inner);
                }
                case Step.VerdictStep v -> verdict(v, locals);
                case Step.ParallelStep p -> {
                    p.branches().forEach(b -> step(b, locals));
                    p.decidedWhen().ifPresent(e -> expr(e, locals));
                }
                case Step.IncludeStep inc -> include(inc, locals);
            }
        }

        private void probe(Step.ProbeStep p, List<String> locals) {
            var spec = probes.apply(p.probe());
            p.with().values().forEach(a -> a.value().exprs().forEach(e -> expr(e, locals)));
            if (spec.isEmpty()) {
                add(p.probePos(), "unknown probe '" + p.probe() + "'" + ParamBinder.closest(p.probe(), probeIds)
                        .map(c -> "; did you mean '" + c + "'?").orElse("") + " (see 'reach probes' for the list)");
                return;
            }
            args(spec.get().params(), p.with(), p.probePos(), name -> ParamBinder.checkNames(spec.get(), List.of(name))
                    .stream().findFirst().map(ParamBinder.ParamError::message).orElse(null),
                    (param, raw) -> ParamBinder.checkValue(spec.get(), param, raw).orElse(null), "for " + p.probe());
        }

        private void include(Step.IncludeStep inc, List<String> locals) {
            inc.with().values().forEach(a -> a.value().exprs().forEach(e -> expr(e, locals)));
            Playbook child = inc.playbook();
            List<String> names = List.copyOf(child.inputs().keySet());
            args(List.copyOf(child.inputs().values()), inc.with(), inc.pos(), name -> "unknown input '" + name + "' for "
                            + inc.path() + ParamBinder.closest(name, names).map(c -> "; did you mean '" + c + "'?").orElse("")
                            + " (inputs: " + String.join(", ", names) + ")",
                    (param, raw) -> {
                        try {
                            param.convert(raw);
                            return null;
                        } catch (IllegalArgumentException e) {
                            return "bad value for input '" + param.name() + "' of " + inc.path() + ": " + e.getMessage();
                        }
                    }, "for " + inc.path());
            check(child, problems);
        }

        private void args(List<Param> params, Map<String, Arg> with, SourcePos at,
                          Function<String, String> unknownName, java.util.function.BiFunction<Param, Object, String> badValue,
                          String owner) {
            for (Arg a : with.values()) {
                var param = params.stream().filter(x -> x.name().equals(a.name())).findFirst();
                if (param.isEmpty()) {
                    add(a.keyPos(), unknownName.apply(a.name()));
                } else if (a.value().isLiteral()) {
                    String bad = badValue.apply(param.get(), a.value().literalValue().orElse(null));
                    if (bad != null) add(a.valuePos(), bad);
                }
            }
            List<String> names = params.stream().map(Param::name).toList();
            Set<String> meant = new HashSet<>(); // a typo'd name is reported once, not again as "missing"
            with.keySet().forEach(k -> ParamBinder.closest(k, names).ifPresent(meant::add));
            for (Param p : params) {
                if (p.isRequired() && !with.containsKey(p.name()) && !meant.contains(p.name())) {
                    add(at, "missing required parameter '" + p.name() + "' " + owner + "; add it under 'with:'");
                }
            }
        }

        private void verdict(Step.VerdictStep v, List<String> locals) {
            if (!causes.contains(v.cause())) {
                add(v.causePos(), "unknown cause '" + v.cause() + "'" + ParamBinder.closest(v.cause(), causes)
                        .map(c -> "; did you mean '" + c + "'?").orElse("") + " ('reach causes' lists them)");
            }
            for (String ref : v.evidence()) {
                if (!ids.contains(ref)) {
                    add(v.evidencePos(), "evidence names step '" + ref + "', which does not exist" + near(ref));
                }
            }
            for (Template t : List.of(v.summary(), v.fix())) {
                t.exprs().forEach(e -> expr(e, locals));
            }
        }

        private void branches(Step s, int index) {
            for (Branch b : s.common().on()) {
                if (b.cause() != null && !causes.contains(b.cause())) {
                    List<String> keys = new ArrayList<>(causes);
                    keys.addAll(List.of("ok", "warn", "fail", "error", "skipped"));
                    add(b.pos(), "'on:' key '" + b.cause() + "' is neither a status (ok, warn, fail, error, skipped) nor a known cause"
                            + ParamBinder.closest(b.cause(), keys).map(c -> "; did you mean '" + c + "'?").orElse(""));
                }
                if (b.target() instanceof Target.GoTo g) {
                    int to = pb.indexOf(g.step());
                    if (to < 0) {
                        add(g.pos(), "jump target '" + g.step() + "' is not a step of this playbook"
                                + (ids.contains(g.step()) ? " (steps inside 'parallel' cannot be jumped to)" : near(g.step()))
                                + "; targets are next, stop or a step id");
                    } else if (to <= index && g.max() == 0) {
                        add(g.pos(), "unbounded loop: step '" + s.id() + "' jumps back to '" + g.step()
                                + "' with no bound; write {goto: " + g.step() + ", max: 3} to say how often it may");
                    }
                }
            }
        }

        private void expr(Expr e, List<String> locals) {
            if (e == null) return;
            expressions.check(e, locals).ifPresent(problems::add);
            String code = withoutStrings(e.source());
            refs(STEP_REF.matcher(code), e, ids, "step", "steps");
            refs(INPUT_REF.matcher(code), e, pb.inputs().keySet(), "input", "inputs");
        }

        private void refs(Matcher m, Expr e, Collection<String> known, String what, String root) {
            while (m.find()) {
                String name = m.group(1);
                if (!known.contains(name)) {
                    add(e.pos().plusColumns(m.start(1)), "'" + root + "." + name + "' refers to no " + what
                            + ParamBinder.closest(name, known).map(c -> "; did you mean '" + c + "'?").orElse("")
                            + (known.isEmpty() ? "" : " (" + root + ": " + String.join(", ", known) + ")"));
                }
            }
        }

        private String near(String name) {
            return ParamBinder.closest(name, ids).map(c -> "; did you mean '" + c + "'?").orElse("");
        }

        private void add(SourcePos pos, String message) {
            problems.add(new Problem(pos, message));
        }
    }

    /** Blanks out string literals (keeping columns) so names inside quotes are not taken as references. */
    static String withoutStrings(String code) {
        StringBuilder sb = new StringBuilder(code);
        char quote = 0;
        for (int i = 0; i < sb.length(); i++) {
            char c = sb.charAt(i);
            if (quote != 0) {
                if (c == '\\' && i + 1 < sb.length()) {
                    sb.setCharAt(i, ' ');
                    sb.setCharAt(++i, ' ');
                } else if (c == quote) {
                    quote = 0;
                } else {
                    sb.setCharAt(i, ' ');
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            }
        }
        return sb.toString();
    }
}
