package dev.reach.core.run;

import dev.reach.core.playbook.Confidence;
import dev.reach.spi.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives the one verdict of a run that no verdict step concluded: the first fault with a cause, else
 * "inconclusive" when something could not be checked (a step that broke, or one that could not run at all), else healthy. A derived verdict is never more than
 * {@code likely}: only a playbook that weighed the evidence may say {@code certain} about a fault.
 */
public final class Verdicts {
    /** reach's own code for "the checks that would decide could not run" (not a fault from FAULTS.md). */
    public static final String INCONCLUSIVE = "inconclusive";

    /** {@code {host}}, {@code {port}}, {@code {name}} in a catalogue fix. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(host|port|name)}");

    private final Function<String, Optional<String>> fixFor;

    /** @param fixFor the catalogue's fix for a cause, with {@code {host}}, {@code {port}}, {@code {name}} placeholders */
    public Verdicts(Function<String, Optional<String>> fixFor) {
        this.fixFor = fixFor;
    }

    /** The catalogue's fix for a cause, its placeholders as HOST, PORT, NAME. */
    public String fix(String cause) {
        return fix(cause, Map.of());
    }

    /**
     * The catalogue's fix for a cause, its placeholders filled from {@code values} (the failing step's parameters,
     * or the playbook's inputs); one without a value stays a word to replace: HOST, PORT, NAME.
     */
    public String fix(String cause, Map<String, ?> values) {
        if (Verdict.OK.equals(cause)) return "";
        return fixFor.apply(cause).map(f -> fill(f, values)).orElseGet(() -> "reach knows no fix for '" + cause + "': the"
                + " code is in no cause catalogue (a plugin's probe returned a code its reach-causes.tsv does not declare;"
                + " 'reach causes' lists the known ones).");
    }

    /** A catalogue fix with its {@code {host}}, {@code {port}}, {@code {name}} from {@code values}, else HOST, PORT, NAME. */
    public static String fill(String template, Map<String, ?> values) {
        return PLACEHOLDER.matcher(template).replaceAll(m -> {
            Object v = values.get(m.group(1));
            String text = v == null || v.toString().isBlank() ? m.group(1).toUpperCase(java.util.Locale.ROOT) : v.toString();
            return Matcher.quoteReplacement(text);
        });
    }

    /**
     * @param steps      the results in run order
     * @param stopReason why the run stopped early (cancelled, deadline), or null
     */
    public Verdict derive(List<StepResult> steps, String stopReason) {
        if (stopReason != null) {
            return new Verdict(INCONCLUSIVE, Confidence.POSSIBLE, "The run stopped early: " + stopReason
                    + ", after " + steps.size() + " step(s); what was seen so far is above.",
                    stopReason.contains("deadline") ? "Rerun with a longer --timeout." : "", List.of(), List.of(), false);
        }
        for (StepResult s : steps) {
            if (s.status() == Status.FAIL && s.observation().cause().isPresent()) {
                String cause = s.observation().cause().get();
                return new Verdict(cause, Confidence.LIKELY, s.observation().summary(), fix(cause, s.params()),
                        evidence(s), List.of(s.id()), false);
            }
        }
        for (StepResult s : steps) {
            if (s.status() == Status.FAIL || s.status() == Status.ERROR) {
                String lead = s.status() == Status.FAIL ? "A check failed without naming a cause: " : "A check could not run to the end: ";
                return new Verdict(INCONCLUSIVE, Confidence.POSSIBLE, lead + s.observation().summary(),
                        "Look at the evidence of step '" + s.id() + "'; rerun with --verbose for details.",
                        evidence(s), List.of(s.id()), false);
            }
        }
        boolean checked = steps.stream().anyMatch(s -> s.status() == Status.OK || s.status() == Status.WARN);
        // a check that did not run (its needs unmet, no server for 'on: server') never adds up to ok; one its condition
        // left out, or that was cut short because the evidence had decided, was not needed
        Optional<StepResult> missed = steps.stream().flatMap(Verdicts::flat)
                .filter(s -> s.status() == Status.SKIPPED && !s.skippedByCondition() && !s.cutShort() && s.children().isEmpty()).findFirst();
        if (checked && missed.isPresent()) {
            StepResult s = missed.get();
            return new Verdict(INCONCLUSIVE, Confidence.POSSIBLE, "A check could not run: " + s.id() + ": " + s.observation().summary(),
                    "Give it what it needs (see the evidence), then run again.", evidence(s), List.of(s.id()), false);
        }
        if (!checked) {
            List<String> why = steps.stream().map(s -> s.id() + ": " + s.observation().summary()).toList();
            return new Verdict(INCONCLUSIVE, Confidence.POSSIBLE, "Nothing could be checked: every step was skipped.",
                    "Give the checks what they need (see the evidence), or run as root.", why, List.of(), false);
        }
        List<String> warnings = steps.stream().filter(s -> s.status() == Status.WARN)
                .map(s -> s.id() + ": " + s.observation().summary()).toList();
        String summary = "Every check answered as expected" + (warnings.isEmpty() ? "." : ", with warnings.");
        return new Verdict(Verdict.OK, Confidence.CERTAIN, summary, "", warnings,
                steps.stream().filter(s -> s.status() == Status.OK || s.status() == Status.WARN).map(StepResult::id).toList(), false);
    }

    private static java.util.stream.Stream<StepResult> flat(StepResult s) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(s), s.children().stream().flatMap(Verdicts::flat));
    }

    /**
     * The verdict of a run whose playbook broke before it concluded — its JS main threw, its verdict's summary
     * could not be computed: inconclusive, carrying the error, whatever the steps before it found (a fault
     * one of them saw is a guess at what the playbook would have said, not its conclusion).
     *
     * @param broken the step that holds the error ({@code file:line:col: ...} in its summary)
     */
    public Verdict broken(StepResult broken) {
        return new Verdict(INCONCLUSIVE, Confidence.POSSIBLE, "The playbook broke before it concluded: "
                + broken.observation().summary(), "Correct the playbook where the error points; what the steps saw is above.",
                evidence(broken), List.of(broken.id()), false);
    }

    /** A step's evidence lines, led by its summary. */
    public static List<String> evidence(StepResult s) {
        List<String> out = new ArrayList<>();
        out.add(s.id() + ": " + s.observation().summary());
        out.addAll(s.observation().evidence());
        return out;
    }
}
