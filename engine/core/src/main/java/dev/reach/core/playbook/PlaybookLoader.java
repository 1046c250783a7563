package dev.reach.core.playbook;

import dev.reach.core.playbook.Step.Arg;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Status;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a YAML playbook (and the playbooks it includes) into the model, reporting every structural
 * problem with its file:line:column. Names (probes, parameters, steps, causes) are checked afterwards by
 * {@link PlaybookValidator}.
 */
public final class PlaybookLoader {
    static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]*");
    // the keys it accepts, here and nowhere else: PlaybookSchema writes the editors' schema from them
    static final List<String> TOP_KEYS = List.of("name", "description", "inputs", "steps", "timeout");
    static final List<String> VERDICT_KEYS = List.of("cause", "confidence", "summary", "fix", "evidence");
    static final List<String> KINDS = List.of("probe", "verdict", "parallel", "include");
    static final Map<String, List<String>> STEP_KEYS = Map.of(
            "probe", List.of("id", "probe", "with", "when", "on", "timeout"),
            "foreach", List.of("id", "foreach", "as", "probe", "with", "when", "on", "timeout"),
            "verdict", List.of("id", "verdict", "when"),
            "parallel", List.of("id", "parallel", "until", "when", "on", "timeout"),
            "include", List.of("id", "include", "with", "when", "on", "timeout"));
    private static final List<String> ALL_STEP_KEYS = List.of("id", "probe", "with", "when", "on", "timeout",
            "foreach", "as", "verdict", "parallel", "until", "include");
    static final int MAX_INCLUDE_DEPTH = 8;
    /** Includes loaded for one playbook in all (a 10-wide tree 6 deep would be a million). */
    static final int MAX_INCLUDES = 100;
    /** Names an expression already has, so a foreach's {@code as:} cannot be one of them. */
    static final List<String> SCOPE_NAMES = List.of("inputs", "steps", "locals");

    private final Deque<Path> including = new ArrayDeque<>();
    /** Includes this loader has loaded so far, all levels together (see {@link #MAX_INCLUDES}). */
    private int includesLoaded;
    /** Folders of installed playbooks, where an include by bare name is looked up when it is not beside its includer. */
    private final List<Path> library;

    /** A loader whose includes resolve only against the including file's folder. */
    public PlaybookLoader() {
        this(List.of());
    }

    /**
     * A loader that also finds an include given by bare name ({@code include: unreachable.yaml}) in {@code library},
     * the folders of installed playbooks, when no such file is beside the including one: a saved playbook then
     * keeps working wherever it is moved.
     */
    public PlaybookLoader(List<Path> library) {
        this.library = List.copyOf(library);
    }

    /**
     * The installed playbook a bare name means when no such file is here: {@code time} or {@code time.yaml} is
     * {@code time.yaml} (else {@code .yml}, {@code .js}) in the first of {@code library} that has it.
     */
    public static Optional<Path> installed(Path file, List<Path> library) {
        String name = file.toString();
        if (name.contains("/") || name.isEmpty() || Files.exists(file)) return Optional.empty();
        List<String> names = name.matches(".*\\.(ya?ml|m?js)") ? List.of(name) : List.of(name + ".yaml", name + ".yml", name + ".js");
        for (Path lib : library) {
            for (String n : names) {
                if (Files.isRegularFile(lib.resolve(n))) return Optional.of(lib.resolve(n));
            }
        }
        return Optional.empty();
    }

    /** Loads a playbook file. */
    public Playbook load(Path file) throws PlaybookException {
        Path abs = file.toAbsolutePath().normalize();
        String name = file.toString();
        if (!Files.isRegularFile(abs)) {
            throw new PlaybookException(SourcePos.unknown(name), "no such playbook file; check the path"
                    + (name.contains("/") || library.isEmpty() ? "" : " (nor an installed playbook of that name in "
                    + library.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", ")) + ")"));
        }
        return load(new java.io.StringReader(PlaybookText.read(abs, name)), name, abs.getParent());
    }

    /** Loads playbook text; {@code name} is used in positions, {@code dir} resolves includes. */
    public Playbook load(Reader reader, String name, Path dir) throws PlaybookException {
        List<Problem> problems = new ArrayList<>();
        Playbook p = new Parse(new YamlTree(name, problems), name, dir).playbook(reader);
        if (!problems.isEmpty() || p == null) {
            throw new PlaybookException(problems.isEmpty() ? List.of(new Problem(SourcePos.unknown(name), "empty playbook")) : problems);
        }
        return p;
    }

    /** One file's parse: the tree, its name and folder. */
    private final class Parse {
        private final YamlTree y;
        private final String file;
        private final Path dir;

        Parse(YamlTree y, String file, Path dir) {
            this.y = y;
            this.file = file;
            this.dir = dir;
        }

        Playbook playbook(Reader reader) {
            Node root = y.compose(reader);
            if (root == null) {
                return null;
            }
            Map<String, NodeTuple> top = y.mapping(root, "a playbook");
            if (top == null) return null;
            y.onlyKeys(top, "the playbook", TOP_KEYS);
            String name = top.containsKey("name") ? y.text(top.get("name").getValueNode(), "name") : defaultName();
            String description = top.containsKey("description") ? y.text(top.get("description").getValueNode(), "description") : "";
            Map<String, Param> inputs = top.containsKey("inputs") ? new InputsReader(y).inputs(top.get("inputs").getValueNode()) : Map.of();
            Duration timeout = top.containsKey("timeout") ? duration(top.get("timeout").getValueNode()) : null;
            List<Step> steps = new ArrayList<>();
            if (!top.containsKey("steps")) {
                y.problem(root, "the playbook has no 'steps:'; add a list of steps");
            } else {
                List<Node> nodes = y.sequence(top.get("steps").getValueNode(), "steps");
                if (nodes != null) {
                    if (nodes.isEmpty()) y.problem(top.get("steps").getValueNode(), "'steps:' is empty; add at least one step");
                    for (Node n : nodes) {
                        Step s = step(n, false);
                        if (s != null) steps.add(s);
                    }
                }
            }
            return new Playbook(name == null ? defaultName() : name, description == null ? "" : description, file,
                    inputs, steps, timeout == null ? Playbook.DEFAULT_TIMEOUT : timeout);
        }

        private String defaultName() {
            String base = Path.of(file).getFileName().toString();
            int dot = base.lastIndexOf('.');
            return dot > 0 ? base.substring(0, dot) : base;
        }

        private Step step(Node n, boolean inParallel) {
            Map<String, NodeTuple> m = y.mapping(n, "a step");
            if (m == null) return null;
            List<String> kinds = KINDS.stream().filter(m::containsKey).toList();
            String id = m.containsKey("id") ? y.text(m.get("id").getValueNode(), "id") : null;
            if (!m.containsKey("id")) {
                y.problem(n, "this step has no 'id:'; give it a short name like 'connect'");
            } else if (id != null && !ID.matcher(id).matches()) {
                y.problem(m.get("id").getValueNode(), "step id '" + id + "' must start with a lower-case letter and hold only a-z, 0-9 and _");
                id = null;
            } else if ("next".equals(id) || "stop".equals(id)) {
                y.problem(m.get("id").getValueNode(), "'" + id + "' is a reserved word for 'on:' targets; choose another step id");
            }
            if (kinds.size() != 1) {
                if (kinds.isEmpty()) {
                    y.onlyKeys(m, "a step", ALL_STEP_KEYS);
                    y.problem(n, "step " + (id == null ? "" : "'" + id + "' ") + "does nothing; give it one of: probe, verdict, parallel, include");
                } else {
                    y.problem(m.get(kinds.get(1)).getKeyNode(), "a step has one of probe, verdict, parallel, include; this one has "
                            + String.join(" and ", kinds) + ": split it into steps");
                }
                return null;
            }
            String kind = kinds.getFirst().equals("probe") && m.containsKey("foreach") ? "foreach" : kinds.getFirst();
            String what = kind.equals("foreach") ? "a foreach step" : "a " + kind + " step";
            List<String> allowed = STEP_KEYS.get(kind);
            if (m.containsKey("until") && !kind.equals("parallel")) {
                y.problem(m.get("until").getKeyNode(), "'until:' is for a parallel step (it cuts short the branches still running once it holds), not "
                        + what + (inParallel ? "; put it on the parallel step around this one" : "; for a condition on this step, did you mean 'when:'?"));
                allowed = java.util.stream.Stream.concat(allowed.stream(), java.util.stream.Stream.of("until")).toList(); // said once
            }
            y.onlyKeys(m, what, allowed);
            Node onNode = m.containsKey("on") ? m.get("on").getValueNode() : null;
            boolean where = onNode instanceof ScalarNode;   // on: server, not a map of branches
            boolean onServer = where && new BranchReader(y).onServer(onNode, kind.equals("probe") || kind.equals("foreach"), what);
            if (!where && inParallel && onNode != null) {
                y.problem(m.get("on").getKeyNode(), "a step inside 'parallel' cannot branch; put 'on:' on the parallel step");
            }
            if (inParallel && kind.equals("verdict")) {
                y.problem(n, "a verdict cannot run inside 'parallel'; put it after the parallel step");
                return null;
            }
            StepCommon common = new StepCommon(id == null ? "?" : id, y.pos(n),
                    m.containsKey("when") ? condition(m.get("when").getValueNode(), "when") : null,
                    onNode != null && !where && !inParallel ? new BranchReader(y).branches(onNode) : List.of(),
                    m.containsKey("timeout") ? duration(m.get("timeout").getValueNode()) : null);
            return switch (kind) {
                case "probe" -> probeStep(common, m, onServer);
                case "foreach" -> forEach(common, m, onServer);
                case "verdict" -> verdict(common, m.get("verdict").getValueNode());
                case "parallel" -> parallel(common, m.get("parallel").getValueNode(),
                        m.containsKey("until") ? m.get("until").getValueNode() : null);
                default -> include(common, m.get("include").getValueNode(), m);
            };
        }

        private Step.ProbeStep probeStep(StepCommon common, Map<String, NodeTuple> m, boolean onServer) {
            Node probeNode = m.get("probe").getValueNode();
            String probe = y.text(probeNode, "probe");
            Map<String, Arg> with = m.containsKey("with") ? args(m.get("with").getValueNode()) : Map.of();
            return probe == null ? null : new Step.ProbeStep(common, probe, y.pos(probeNode), with, onServer);
        }

        private Step forEach(StepCommon common, Map<String, NodeTuple> m, boolean onServer) {
            Node itemsNode = m.get("foreach").getValueNode();
            Template items;
            Object v = y.value(itemsNode);
            if (v instanceof String s) {
                items = template(s, itemsNode);
                if (items == null) return null;
                if (items.isLiteral()) {
                    y.problem(itemsNode, "'foreach:' needs a list or one expression like ${inputs.ports}");
                    return null;
                }
            } else if (v instanceof List<?> list) {
                if (list.size() > Step.ForEachStep.MAX_ITEMS) {
                    y.problem(itemsNode, "'foreach:' has " + list.size() + " items; at most " + Step.ForEachStep.MAX_ITEMS + " run in one step");
                }
                items = Template.literal(list);
            } else {
                y.problem(itemsNode, "'foreach:' needs a list or one expression like ${inputs.ports}");
                return null;
            }
            String as = "item";
            if (m.containsKey("as")) {
                as = y.text(m.get("as").getValueNode(), "as");
                if (as == null || !ID.matcher(as).matches() || SCOPE_NAMES.contains(as)) {
                    y.problem(m.get("as").getValueNode(), "'as:' must be a plain lower-case name other than inputs, steps and locals");
                    return null;
                }
            }
            Step.ProbeStep body = probeStep(new StepCommon(common.id(), common.pos(), null, List.of(), common.timeout()), m, onServer);
            return body == null ? null : new Step.ForEachStep(common, items, y.pos(itemsNode), as, body);
        }

        private Step verdict(StepCommon common, Node n) {
            Map<String, NodeTuple> m = y.mapping(n, "a verdict");
            if (m == null) return null;
            y.onlyKeys(m, "a verdict", VERDICT_KEYS);
            if (!m.containsKey("cause")) {
                y.problem(n, "a verdict needs 'cause:' (a code 'reach causes' lists, e.g. tcp.refused)");
                return null;
            }
            Node causeNode = m.get("cause").getValueNode();
            String cause = y.text(causeNode, "cause");
            String confidence = m.containsKey("confidence") ? y.text(m.get("confidence").getValueNode(), "confidence") : "likely";
            Template summary = m.containsKey("summary") ? templateOf(m.get("summary").getValueNode()) : Template.literal("");
            Template fix = m.containsKey("fix") ? templateOf(m.get("fix").getValueNode()) : Template.literal("");
            List<String> evidence = m.containsKey("evidence") ? y.words(m.get("evidence").getValueNode(), "evidence") : List.of();
            SourcePos evidencePos = m.containsKey("evidence") ? y.pos(m.get("evidence").getValueNode()) : y.pos(n);
            if (m.containsKey("confidence") && confidence != null
                    && dev.reach.core.playbook.Confidence.fromLabel(confidence).isEmpty()) {
                y.problem(m.get("confidence").getValueNode(), "confidence '" + confidence + "' is not one of certain, likely, possible");
            }
            if (cause == null || summary == null || fix == null) return null;
            return new Step.VerdictStep(common, cause, y.pos(causeNode), confidence, summary, fix, evidence, evidencePos);
        }

        private Step parallel(StepCommon common, Node n, Node untilNode) {
            List<Node> nodes = y.sequence(n, "'parallel:'");
            if (nodes == null) return null;
            if (nodes.size() < 2) y.problem(n, "'parallel:' needs at least two steps to run at once");
            List<Step> branches = new ArrayList<>();
            for (Node b : nodes) {
                Step s = step(b, true);
                if (s != null) branches.add(s);
            }
            Expr until = untilNode == null ? null : condition(untilNode, "until");
            return new Step.ParallelStep(common, branches, until);
        }

        private Step include(StepCommon common, Node n, Map<String, NodeTuple> m) {
            String path = y.text(n, "include");
            if (path == null) return null;
            if (!path.matches(".+\\.(?:ya?ml|m?js)")) {   // never another file read as a playbook (its text would show in errors)
                y.problem(n, "include: '" + path + "' is not a playbook; only .yaml, .yml and .js files can be included");
                return null;
            }
            Map<String, Arg> with = m.containsKey("with") ? args(m.get("with").getValueNode()) : Map.of();
            Path target = (dir == null ? Path.of(path) : dir.resolve(path)).toAbsolutePath().normalize();
            if (!Files.isRegularFile(target) && !path.contains("/")) { // a bare name: the installed playbooks
                for (Path lib : library) {
                    Path installed = lib.resolve(path).toAbsolutePath().normalize();
                    if (Files.isRegularFile(installed)) {
                        target = installed;
                        break;
                    }
                }
            }
            if (including.contains(target)) {
                y.problem(n, "include cycle: " + path + " is already being included; remove one of the includes");
                return null;
            }
            if (including.size() >= MAX_INCLUDE_DEPTH) {
                y.problem(n, "includes nest deeper than " + MAX_INCLUDE_DEPTH + "; flatten them");
                return null;
            }
            if (++includesLoaded > MAX_INCLUDES) {
                y.problem(n, "more than " + MAX_INCLUDES + " includes in all (counting those of included playbooks); include fewer");
                return null;
            }
            if (!Files.isRegularFile(target)) {
                y.problem(n, "included playbook '" + path + "' does not exist (looked for " + target
                        + (path.contains("/") || library.isEmpty() ? "" : " and in " + library.stream().map(Path::toString)
                        .collect(java.util.stream.Collectors.joining(", "))) + ")");
                return null;
            }
            including.push(target);
            try {
                Playbook child = PlaybookLoader.this.load(Path.of(relative(target)));
                return new Step.IncludeStep(common, path, child, with);
            } catch (PlaybookException e) {
                e.problems().forEach(p -> y.problem(n, "in included " + p));
                return null;
            } finally {
                including.pop();
            }
        }

        private String relative(Path target) {
            Path cwd = Path.of("").toAbsolutePath();
            return target.startsWith(cwd) ? cwd.relativize(target).toString() : target.toString();
        }

        private Map<String, Arg> args(Node n) {
            Map<String, NodeTuple> m = y.mapping(n, "'with:'");
            Map<String, Arg> out = new LinkedHashMap<>();
            if (m == null) return out;
            for (var e : m.entrySet()) {
                Node v = e.getValue().getValueNode();
                Template t = templateOf(v);
                if (t != null) out.put(e.getKey(), new Arg(e.getKey(), t, y.pos(e.getValue().getKeyNode()), y.textPos(v)));
            }
            return out;
        }

        private Template templateOf(Node v) {
            Object value = y.value(v);
            if (value instanceof String s) {
                return template(s, v);
            }
            if (value != null && value.toString().contains("${")) {
                y.problem(v, "'${...}' inside a list or mapping is not expanded; write the whole value as one expression, like ${[inputs.a, inputs.b]}");
                return null;
            }
            return Template.literal(value);
        }

        private Template template(String text, Node at) {
            try {
                return Template.parse(text, y.textPos(at));
            } catch (Template.UnclosedException e) {
                y.problems(at, e.offset(), e.getMessage());
                return null;
            }
        }

        /** A {@code when:} or {@code until:}: one expression, bare or as a lone {@code ${...}}. */
        private Expr condition(Node n, String key) {
            Object v = y.value(n);
            if (v instanceof Boolean b) return new Expr(b.toString(), y.pos(n));
            if (!(v instanceof String s)) {
                y.problem(n, "'" + key + ":' needs an expression like steps.connect.status == 'fail'");
                return null;
            }
            Template t = template(s, n);
            if (t == null) return null;
            if (t.isLiteral()) return new Expr(s, y.textPos(n));
            if (t.parts().size() == 1 && t.parts().getFirst() instanceof Template.Code c) return c.expr();
            y.problem(n, "'" + key + ":' is one expression; write it without text around '${...}' (or without ${} at all)");
            return null;
        }

        private Duration duration(Node n) {
            try {
                return (Duration) ParamType.DURATION.convert(y.value(n));
            } catch (IllegalArgumentException e) {
                y.problem(n, "bad timeout: " + e.getMessage());
                return null;
            }
        }

    }
}
