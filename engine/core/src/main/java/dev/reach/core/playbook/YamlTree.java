package dev.reach.core.playbook;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Safe YAML reading with positions: the file is composed into nodes (no object is ever constructed from
 * a tag), with limits on size, nesting and aliases; scalars convert to String, Long, Double, Boolean or null.
 */
final class YamlTree {
    static final int MAX_CODE_POINTS = 1 << 20;
    private static final Set<Tag> PLAIN = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ, Tag.TIMESTAMP);

    private final String file;
    private final List<Problem> problems;

    YamlTree(String file, List<Problem> problems) {
        this.file = file;
        this.problems = problems;
    }

    /** Composes the document; null (with a problem recorded) when it is not valid YAML. */
    Node compose(Reader reader) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(40);
        options.setCodePointLimit(MAX_CODE_POINTS);
        try {
            return new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            what = what.strip();
            problems.add(new Problem(pos(m), "invalid YAML: " + what
                    + (what.contains("tag") ? "; remove the tag" : "; check the indentation and quoting here")));
        } catch (YAMLException e) {
            problems.add(new Problem(SourcePos.unknown(file), "invalid YAML: " + firstLine(e.getMessage())));
        } catch (IllegalArgumentException e) {   // SnakeYAML's own word on a tag it cannot decode ('!%a'), found by fuzzing
            problems.add(new Problem(SourcePos.unknown(file), "invalid YAML: a tag it cannot read (" + firstLine(e.getMessage())
                    + "); remove the tag"));
        }
        return null;
    }

    SourcePos pos(Node n) {
        return pos(n.getStartMark());
    }

    SourcePos pos(Mark m) {
        return m == null ? SourcePos.unknown(file) : new SourcePos(file, m.getLine() + 1, m.getColumn() + 1);
    }

    /** Where a scalar's text starts (past an opening quote). */
    SourcePos textPos(Node n) {
        SourcePos p = pos(n);
        if (n instanceof ScalarNode s && s.getScalarStyle() != null) {
            char c = s.getScalarStyle().getChar() == null ? 0 : s.getScalarStyle().getChar();
            if (c == '"' || c == '\'') return p.plusColumns(1);
        }
        return p;
    }

    void problem(Node n, String message) {
        problems.add(new Problem(pos(n), message));
    }

    /** A problem {@code offset} characters into a scalar's text. */
    void problems(Node n, int offset, String message) {
        problems.add(new Problem(textPos(n).plusColumns(offset), message));
    }

    /** The node as a mapping of key text → (key node, value node), or null with a problem. */
    Map<String, NodeTuple> mapping(Node n, String what) {
        if (!(n instanceof MappingNode m)) {
            problem(n, what + " must be a mapping (key: value lines), not " + kind(n));
            return null;
        }
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                NodeTuple first = out.putIfAbsent(k.getValue(), t);
                if (first != null) {   // the composer keeps both; YAML says a key is unique, and the later one would win unseen
                    problem(k, "'" + k.getValue() + "' is given twice in " + what + " (first at "
                            + pos(first.getKeyNode()).line() + ":" + pos(first.getKeyNode()).col() + "); keep one");
                }
            } else {
                problem(t.getKeyNode(), "keys of " + what + " must be plain words");
            }
        }
        return out;
    }

    /** Reports keys not in {@code allowed}, with a "did you mean" for near misses. */
    void onlyKeys(Map<String, NodeTuple> map, String what, List<String> allowed) {
        for (var e : map.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                String near = dev.reach.core.playbook.ParamBinder.closest(e.getKey(), allowed)
                        .map(c -> "did you mean '" + c + "'? ").orElse("");
                problem(e.getValue().getKeyNode(), "unknown key '" + e.getKey() + "' in " + what + "; " + near
                        + "(allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    List<Node> sequence(Node n, String what) {
        if (n instanceof SequenceNode s) {
            return s.getValue();
        }
        problem(n, what + " must be a list (lines starting with '- '), not " + kind(n));
        return null;
    }

    /** A word or a list of words (numbers become text); an empty list with a problem otherwise. */
    List<String> words(Node n, String what) {
        Object v = value(n);
        if (v instanceof String s) return List.of(s);
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String || x instanceof Number)) {
            return l.stream().map(String::valueOf).toList();
        }
        problem(n, "'" + what + ":' must be a list of words");
        return List.of();
    }

    /** A scalar's text, or null with a problem. */
    String text(Node n, String what) {
        if (n instanceof ScalarNode s && checkTag(n)) {
            if (s.getTag().equals(Tag.NULL)) {
                problem(n, what + " is empty; give it a value");
                return null;
            }
            return s.getValue();
        }
        if (!(n instanceof ScalarNode)) problem(n, what + " must be a single value, not " + kind(n));
        return null;
    }

    /** Converts a node to plain Java: String, Long, Double, Boolean, null, List, Map. */
    Object value(Node n) {
        if (!checkTag(n)) return null;
        return switch (n) {
            case ScalarNode s -> scalar(s);
            case SequenceNode s -> {
                List<Object> out = new ArrayList<>();
                s.getValue().forEach(x -> out.add(value(x)));
                yield out;
            }
            case MappingNode m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (NodeTuple t : m.getValue()) {
                    out.put(t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?", value(t.getValueNode()));
                }
                yield out;
            }
            default -> null;
        };
    }

    private boolean checkTag(Node n) {
        if (!PLAIN.contains(n.getTag())) {
            problem(n, "YAML tag '" + n.getTag().getValue() + "' is not allowed in a playbook; remove it");
            return false;
        }
        return true;
    }

    private static Object scalar(ScalarNode s) {
        String v = s.getValue();
        Tag t = s.getTag();
        try {
            if (t.equals(Tag.INT)) return Long.decode(v.replace("_", ""));
            if (t.equals(Tag.FLOAT)) return Double.parseDouble(v.replace("_", ""));
        } catch (NumberFormatException e) {
            return v;
        }
        if (t.equals(Tag.BOOL)) return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "y" -> Boolean.TRUE;
            default -> Boolean.FALSE;
        };
        if (t.equals(Tag.NULL)) return null;
        return v;
    }

    static String kind(Node n) {
        return switch (n) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s -> "'" + s.getValue() + "'";
            default -> "this";
        };
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
