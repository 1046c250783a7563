package dev.reach.core.report;

import dev.reach.core.run.Durations;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.verdict.CauseCatalog;
import dev.reach.core.run.Verdict;
import dev.reach.spi.ParamType;
import dev.reach.spi.Status;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A run as a person reads it: a header, one line per step with children indented under their parent, the
 * evidence of what failed, the branch taken, and the verdict last. A single probe ({@code reach probe ...})
 * stays compact: its line, facts and evidence, and the verdict only when it is not healthy.
 *
 * <pre>{@code
 * boolean color = System.getenv("NO_COLOR") == null && !noColor && System.console() != null;  // the caller decides
 * new TextReport(color, verbose, false).render(result, out);
 * }</pre>
 *
 * @param color   ANSI colours: healthy green, faults red, warnings yellow
 * @param verbose facts and evidence of every step, causes, and the playbook's source
 * @param ascii   ASCII marks ({@code + ! x E -}, {@code ->}) for terminals without Unicode
 */
public record TextReport(boolean color, boolean verbose, boolean ascii) {
    /** Where paragraphs wrap and step durations stop moving right. */
    static final int WIDTH = 100;

    /** No colour, not verbose, Unicode marks. */
    public static TextReport plain() {
        return new TextReport(false, false, false);
    }

    public TextReport withColor(boolean on) { return new TextReport(on, verbose, ascii); }
    public TextReport withVerbose(boolean on) { return new TextReport(color, on, ascii); }
    public TextReport withAscii(boolean on) { return new TextReport(color, verbose, on); }

    public void render(RunResult run, Appendable out) throws IOException {
        out.append(render(run));
    }

    public String render(RunResult run) {
        var out = new StringBuilder();
        boolean single = run.playbook().startsWith("probe ");
        if (!single) {
            header(run, out);
        }
        // steps a playbook chose not to run (their when: was false) are noise unless asked for
        List<StepResult> shown = verbose ? run.steps() : run.steps().stream().filter(s -> !s.skippedByCondition()).toList();
        var layout = Layout.of(shown, single, verbose);
        for (StepResult s : shown) {
            step(s, 0, single, layout, out);
        }
        int hidden = run.steps().size() - shown.size();
        if (hidden > 0) {
            out.append(paint("  (" + hidden + " step" + (hidden == 1 ? "" : "s") + " not taken: their conditions were false; --verbose shows them)", Ansi.DIM)).append('\n');
        }
        if (!single || !run.healthy()) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            verdict(run, single, out);
        }
        return out.toString();
    }

    private void header(RunResult run, StringBuilder out) {
        out.append(paint("Playbook " + run.playbook(), Ansi.BOLD));
        if (!run.inputs().isEmpty()) {
            List<String> inputs = new TreeMap<>(run.inputs()).entrySet().stream()
                    .map(e -> e.getKey() + "=" + quoted(ParamType.format(e.getValue()))).toList();
            out.append(" (").append(String.join(" ", inputs)).append(')');
        }
        if (verbose && !run.source().isEmpty()) {
            out.append(" from ").append(run.source());
        }
        out.append('\n');
    }

    private void step(StepResult s, int depth, boolean single, Layout layout, StringBuilder out) {
        String indent = "  ".repeat(depth);
        String rest = single
                ? pad(labelOf(s, true), layout.label()) + "  " + summary(s)
                : pad(s.id(), layout.id() - indent.length()) + "  " + pad(labelOf(s, false), layout.label()) + "  " + summary(s);
        rest = rest.stripTrailing();
        int used = indent.length() + 2 + rest.length();
        String duration = durationOf(s);
        out.append(indent).append(paint(mark(s.status()), tone(s.status()))).append(' ')
                .append(s.status() == Status.SKIPPED ? paint(rest, Ansi.DIM) : rest);
        if (!duration.isEmpty()) {
            out.append(" ".repeat(Math.max(2, layout.durationColumn() - used) + layout.duration() - duration.length()))
                    .append(duration);
        }
        out.append('\n');

        String detail = indent + "    ";
        if (single || verbose) {
            s.observation().facts().forEach((k, v) -> out.append(detail).append(paint(k + ":", Ansi.DIM)).append(' ')
                    .append(ParamType.format(v)).append('\n'));
        }
        if (single || verbose || s.status() == Status.FAIL || s.status() == Status.ERROR) {
            s.observation().evidence().forEach(line -> out.append(detail).append("> ").append(line).append('\n'));
        }
        for (StepResult child : s.children()) {
            step(child, depth + 1, single, layout, out);
        }
        if (!s.branch().isEmpty()) {
            out.append(detail).append(paint((ascii ? "->" : "→") + " " + s.branch(), Ansi.BOLD)).append('\n');
        }
    }

    private String summary(StepResult s) {
        String cause = s.observation().cause().filter(c -> verbose).map(c -> " [" + c + "]").orElse("");
        return s.observation().summary() + cause;
    }

    private void verdict(RunResult run, boolean single, StringBuilder out) {
        Verdict v = run.verdict();
        Ansi tone = verdictTone(run);
        out.append(paint("Verdict: " + v.cause() + " (" + v.confidence().label() + ")", Ansi.BOLD, tone)).append('\n');
        wrap(v.summary(), "", "", out);
        if (!v.evidence().isEmpty()) {
            out.append(paint("Evidence:", Ansi.BOLD)).append('\n');
            v.evidence().forEach(line -> out.append("  ").append(line).append('\n'));
        }
        if (!v.fix().isEmpty()) {
            wrap(v.fix(), paint("Fix:", Ansi.BOLD) + " ", "     ", out);
        }
        if (!single && !v.supportedBy().isEmpty()) {
            out.append("Supported by: ").append(String.join(", ", v.supportedBy())).append('\n');
        }
        out.append("Took ").append(Durations.format(run.duration()))
                .append(run.cancelled() ? ", cancelled before the end" : "").append('\n');
    }

    /** Green when healthy; yellow when unsure or only warned; red for a fault. */
    private static Ansi verdictTone(RunResult run) {
        Verdict v = run.verdict();
        if (run.healthy()) return Ansi.GREEN;
        if (v.healthy() || v.cause().equals(CauseCatalog.INCONCLUSIVE)) return Ansi.YELLOW;
        Status worst = flatten(run.steps()).filter(s -> v.supportedBy().contains(s.id()))
                .map(StepResult::status).reduce(Status.SKIPPED, Status::worse);
        return worst == Status.WARN ? Ansi.YELLOW : Ansi.RED;
    }

    private String mark(Status status) {
        return switch (status) {
            case OK -> ascii ? "+" : "✔";
            case WARN -> "!";
            case FAIL -> ascii ? "x" : "✘";
            case ERROR -> ascii ? "E" : "⚠";
            case SKIPPED -> ascii ? "-" : "–";
        };
    }

    private static Ansi tone(Status status) {
        return switch (status) {
            case OK -> Ansi.GREEN;
            case WARN -> Ansi.YELLOW;
            case FAIL -> Ansi.RED;
            case ERROR -> Ansi.MAGENTA;
            case SKIPPED -> Ansi.DIM;
        };
    }

    private String paint(String text, Ansi... styles) {
        if (!color) return text;
        var sb = new StringBuilder();
        for (Ansi style : styles) sb.append(style.code);
        return sb.append(text).append(Ansi.RESET.code).toString();
    }

    /** Writes {@code text} wrapped at {@link #WIDTH}; {@code first} may hold colour codes, so it is not measured. */
    private void wrap(String text, String first, String rest, StringBuilder out) {
        List<String> lines = wrap(text, WIDTH - rest.length());
        for (int i = 0; i < lines.size(); i++) {
            out.append(i == 0 ? first : rest).append(lines.get(i)).append('\n');
        }
    }

    /**
     * The words of {@code text} in lines of at most {@code width} characters (a longer word has a line of its own);
     * one empty line for blank text.
     */
    public static List<String> wrap(String text, int width) {
        List<String> lines = new java.util.ArrayList<>();
        var line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    private static String labelOf(StepResult s, boolean single) {
        return !s.probe().isEmpty() ? s.probe() : single ? s.id() : s.kind();
    }

    /** Blank for steps that took no time (skipped, verdict), so the eye finds the real figures. */
    private static String durationOf(StepResult s) {
        Duration d = s.observation().duration();
        return s.status() == Status.SKIPPED || d.isZero() ? "" : Durations.format(d);
    }

    private static String quoted(String value) {
        return value.isEmpty() || value.chars().anyMatch(Character::isWhitespace) ? "'" + value + "'" : value;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static Stream<StepResult> flatten(List<StepResult> steps) {
        return steps.stream().flatMap(s -> Stream.concat(Stream.of(s), flatten(s.children())));
    }

    /** Column widths over the whole step tree, so ids, probes and durations line up at every depth. */
    private record Layout(int id, int label, int durationColumn, int duration) {
        static Layout of(List<StepResult> steps, boolean single, boolean verbose) {
            List<int[]> rows = new ArrayList<>();   // {indent + id, label, summary, duration}
            collect(steps, 0, single, verbose, rows);
            int id = rows.stream().mapToInt(r -> r[0]).max().orElse(0);
            int label = rows.stream().mapToInt(r -> r[1]).max().orElse(0);
            int duration = rows.stream().mapToInt(r -> r[3]).max().orElse(0);
            int before = single ? 2 + label + 2 : 2 + id + 2 + label + 2;
            int longest = before + rows.stream().mapToInt(r -> r[2]).max().orElse(0);
            return new Layout(id, label, Math.min(longest, WIDTH - duration - 2) + 2, duration);
        }

        private static void collect(List<StepResult> steps, int depth, boolean single, boolean verbose, List<int[]> rows) {
            for (StepResult s : steps) {
                int summary = s.observation().summary().length()
                        + s.observation().cause().filter(c -> verbose).map(c -> c.length() + 3).orElse(0);
                rows.add(new int[]{2 * depth + s.id().length(), labelOf(s, single).length(), summary,
                        durationOf(s).length()});
                collect(s.children(), depth + 1, single, verbose, rows);
            }
        }
    }

    private enum Ansi {
        RESET("\u001b[0m"), BOLD("\u001b[1m"), DIM("\u001b[2m"), RED("\u001b[31m"), GREEN("\u001b[32m"),
        YELLOW("\u001b[33m"), MAGENTA("\u001b[35m");

        final String code;

        Ansi(String code) {
            this.code = code;
        }
    }
}
