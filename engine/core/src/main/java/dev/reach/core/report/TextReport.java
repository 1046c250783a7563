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
 * A run as a person reads it: a heading, one line per step with children indented under their parent, the
 * evidence of what failed, the branch taken, and the verdict last. A single probe ({@code reach probe ...})
 * stays compact: its line, facts and evidence, and the verdict only when it is not healthy. Every line ends by
 * column {@code width}, broken at spaces and never inside a word or a path (a longer word has a line of its own).
 *
 * <pre>{@code
 * boolean color = System.getenv("NO_COLOR") == null && !noColor && System.console() != null;  // the caller decides
 * new TextReport(color, verbose, false).withWidth(terminalColumns).render(result, out);
 * }</pre>
 *
 * @param color   ANSI colours: healthy green, faults red, warnings yellow
 * @param verbose facts and evidence of every step, causes, every input, and the playbook's source
 * @param ascii   ASCII marks ({@code + ! x E -}, {@code ->}) for terminals without Unicode
 * @param width   the columns a line may take: the terminal's, or {@link #DEFAULT_WIDTH}
 * @param heading what the first line of a playbook's report says
 */
public record TextReport(boolean color, boolean verbose, boolean ascii, int width, Heading heading) {
    /** The width where nobody said otherwise: a terminal's classic 80 columns. */
    public static final int DEFAULT_WIDTH = 80;
    /** Narrower than this, the id and probe columns would leave no room: lines are laid out for this width. */
    static final int MIN_WIDTH = 40;
    /** Continuation lines of a step's summary hang under it while this many columns are left; else nearer the left. */
    private static final int MIN_SUMMARY = 32;

    public TextReport {
        width = Math.max(MIN_WIDTH, width);
        heading = heading == null ? Heading.PLAYBOOK : heading;
    }

    /** At {@link #DEFAULT_WIDTH} columns, the playbook named in the heading. */
    public TextReport(boolean color, boolean verbose, boolean ascii) {
        this(color, verbose, ascii, DEFAULT_WIDTH, Heading.PLAYBOOK);
    }

    /** No colour, not verbose, Unicode marks. */
    public static TextReport plain() {
        return new TextReport(false, false, false);
    }

    public TextReport withColor(boolean on) { return new TextReport(on, verbose, ascii, width, heading); }
    public TextReport withVerbose(boolean on) { return new TextReport(color, on, ascii, width, heading); }
    public TextReport withAscii(boolean on) { return new TextReport(color, verbose, on, width, heading); }
    public TextReport withWidth(int columns) { return new TextReport(color, verbose, ascii, columns, heading); }
    public TextReport withHeading(Heading h) { return new TextReport(color, verbose, ascii, width, h); }

    /**
     * The first line of a playbook's report: {@code text}, then the inputs not at their default (all of them when
     * verbose) except those the text already says.
     *
     * @param text  like {@code Diagnosing db01:5432 (tcp)}; empty for {@code Running playbook connect.yaml}
     * @param said  inputs the text names, left out of the list unless verbose
     */
    public record Heading(String text, java.util.Set<String> said) {
        /** {@code Running playbook FILE}. */
        public static final Heading PLAYBOOK = new Heading("", java.util.Set.of());

        public Heading {
            said = java.util.Set.copyOf(said);
        }
    }

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
        var layout = Layout.of(shown, single, this::summary, width);
        for (StepResult s : shown) {
            step(s, 0, single, layout, out);
        }
        int hidden = run.steps().size() - shown.size();
        if (hidden > 0) {
            Wrap.hanging("  (", "   ", hidden + " step" + (hidden == 1 ? "" : "s")
                    + " not taken: their conditions were false; --verbose shows them)", width)
                    .forEach(line -> out.append(paint(line, Ansi.DIM)).append('\n'));
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
        String text = !heading.text().isEmpty() ? heading.text()
                : "Running playbook " + (run.source().isEmpty() ? run.playbook() : java.nio.file.Path.of(run.source()).getFileName());
        List<String> inputs = new TreeMap<>(run.inputs()).entrySet().stream()
                .filter(e -> verbose || !heading.said().contains(e.getKey()) && !run.atDefault(e.getKey()))
                .map(e -> e.getKey() + "=" + quoted(ParamType.format(e.getValue()))).toList();
        if (!inputs.isEmpty()) {
            text += " with " + String.join(" ", inputs);
        }
        if (verbose && !run.source().isEmpty()) {
            text += " from " + run.source();
        }
        Wrap.hanging("", "  ", Visible.text(text), width).forEach(line -> out.append(paint(line, Ansi.BOLD)).append('\n'));
    }

    private void step(StepResult s, int depth, boolean single, Layout layout, StringBuilder out) {
        String indent = "  ".repeat(depth);
        String columns = single ? pad(labelOf(s, true), layout.label()) + "  "
                : pad(idOf(s), layout.id() - indent.length()) + "  " + pad(labelOf(s, false), layout.label()) + "  ";
        int at = indent.length() + 2 + columns.length();            // where the summary starts
        String duration = durationOf(s);
        int firstRoom = (duration.isEmpty() ? width : layout.durationColumn() - 2) - at;
        String hang = " ".repeat(width - at >= MIN_SUMMARY ? at : indent.length() + 4);
        List<String> lines = Wrap.lines(summary(s), firstRoom, width - hang.length());
        boolean dim = s.status() == Status.SKIPPED;
        String first = (columns + lines.getFirst()).stripTrailing();
        out.append(indent).append(paint(mark(s.status()), tone(s.status()))).append(' ').append(dim ? paint(first, Ansi.DIM) : first);
        if (!duration.isEmpty()) {
            int used = at - columns.length() + first.length();
            out.append(" ".repeat(Math.max(2, layout.durationColumn() - used) + layout.duration() - duration.length()))
                    .append(duration);
        }
        out.append('\n');
        lines.stream().skip(1).forEach(line -> out.append(hang).append(dim ? paint(line, Ansi.DIM) : line).append('\n'));

        String detail = indent + "    ";
        if (single || verbose) {
            s.observation().facts().forEach((key, v) -> {
                String k = Visible.text(key);
                List<String> fact = Wrap.hanging(detail + k + ": ", detail + "  ", Visible.text(FactText.of(v)), width);
                out.append(detail).append(paint(k + ":", Ansi.DIM)).append(fact.getFirst().substring(detail.length() + k.length() + 1)).append('\n');
                fact.stream().skip(1).forEach(line -> out.append(line).append('\n'));
            });
        }
        if (single || verbose || s.status() == Status.FAIL || s.status() == Status.ERROR) {
            s.observation().evidence().forEach(line -> lines(detail + "> ", detail + "  ", Visible.text(line), out));
        }
        for (StepResult child : s.children()) {
            step(child, depth + 1, single, layout, out);
        }
        if (!s.branch().isEmpty()) {
            Wrap.hanging(detail + (ascii ? "->" : "→") + " ", detail + "   ", Visible.text(s.branch()), width)
                    .forEach(line -> out.append(detail).append(paint(line.substring(detail.length()), Ansi.BOLD)).append('\n'));
        }
    }

    /** {@code text} (already {@link Visible}) wrapped under {@code first} and then {@code rest}, uncoloured. */
    private void lines(String first, String rest, String text, StringBuilder out) {
        Wrap.hanging(first, rest, text, width).forEach(line -> out.append(line).append('\n'));
    }

    /**
     * Verbose: the whole summary and the cause; else what a person needs (no cut step's until: condition).
     * {@link Visible}: a summary often quotes what a server said.
     */
    private String summary(StepResult s) {
        String cause = s.observation().cause().filter(c -> verbose).map(c -> " [" + c + "]").orElse("");
        return Visible.text((verbose ? s.observation().summary() : s.briefSummary()) + cause);
    }

    private void verdict(RunResult run, boolean single, StringBuilder out) {
        Verdict v = run.verdict();
        Ansi tone = verdictTone(run);
        Wrap.hanging("Verdict: ", "  ", Visible.text(v.cause()) + " (" + v.confidence().label() + ")", width)
                .forEach(line -> out.append(paint(line, Ansi.BOLD, tone)).append('\n'));
        lines("", "", Visible.text(v.summary()), out);
        if (!v.evidence().isEmpty()) {
            out.append(paint("Evidence:", Ansi.BOLD)).append('\n');
            for (String said : v.evidence()) {
                String line = Visible.text(said);
                String lead = "  " + line.substring(0, line.length() - line.stripLeading().length());
                lines(lead, lead + "    ", line, out);   // deeper than the lines under it
            }
        }
        if (!v.fix().isEmpty()) {
            List<String> fix = Wrap.hanging("Fix: ", "     ", Visible.text(v.fix()), width);
            out.append(paint("Fix:", Ansi.BOLD)).append(fix.getFirst().substring(4)).append('\n');
            fix.stream().skip(1).forEach(line -> out.append(line).append('\n'));
        }
        if (!single && !v.supportedBy().isEmpty()) {
            lines("Supported by: ", "  ", Visible.text(String.join(", ", v.supportedBy())), out);
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

    private static String labelOf(StepResult s, boolean single) {
        return Visible.text(!s.probe().isEmpty() ? s.probe() : single ? s.id() : s.kind());
    }

    /** A step's id as written: a playbook chose it. */
    private static String idOf(StepResult s) {
        return Visible.text(s.id());
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
        static Layout of(List<StepResult> steps, boolean single, java.util.function.Function<StepResult, String> summary, int width) {
            List<int[]> rows = new ArrayList<>();   // {indent + id, label, summary, duration}
            collect(steps, 0, single, summary, rows);
            int id = rows.stream().mapToInt(r -> r[0]).max().orElse(0);
            int label = rows.stream().mapToInt(r -> r[1]).max().orElse(0);
            int duration = rows.stream().mapToInt(r -> r[3]).max().orElse(0);
            int before = single ? 2 + label + 2 : 2 + id + 2 + label + 2;
            int longest = before + rows.stream().mapToInt(r -> r[2]).max().orElse(0);
            return new Layout(id, label, Math.min(longest, width - duration - 2) + 2, duration);
        }

        private static void collect(List<StepResult> steps, int depth, boolean single,
                                    java.util.function.Function<StepResult, String> summary, List<int[]> rows) {
            for (StepResult s : steps) {
                rows.add(new int[]{2 * depth + idOf(s).length(), labelOf(s, single).length(), summary.apply(s).length(),
                        durationOf(s).length()});
                collect(s.children(), depth + 1, single, summary, rows);
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
