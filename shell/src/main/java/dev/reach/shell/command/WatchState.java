package dev.reach.shell.command;

import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code reach watch} has seen so far: each round's verdict, the state changes with their times, and per probe step
 * (an mtr-like table) its last status, its last and mean time, how often it was not ok and when its status last changed.
 */
final class WatchState {
    /** One round: when it started, its verdict. */
    record Round(Instant at, String cause, String confidence, boolean healthy, boolean warning, String summary, double ms) {
        String verdict() {
            return cause.equals("ok") ? "ok" : cause + " (" + confidence + ")";
        }
    }

    /** A verdict change: when, from what, to what. */
    record Change(Instant at, Round from, Round to) {
    }

    /** A probe step's record over the rounds. */
    static final class Row {
        final String id;
        final String probe;
        Status last;
        double lastMs;
        double totalMs;
        int seen;
        int notOk;
        Instant changed;
        /** The round it last ran in (a step the last round did not run shows so). */
        int round;

        Row(String id, String probe) {
            this.id = id;
            this.probe = probe;
        }

        double meanMs() {
            return seen == 0 ? 0 : totalMs / seen;
        }
    }

    private final List<Round> rounds = new ArrayList<>();
    private final List<Change> changes = new ArrayList<>();
    private final Map<String, Row> rows = new LinkedHashMap<>();

    /** Adds a round's result, started at {@code at}; returns the change it made, or null. */
    Change add(RunResult r, Instant at) {
        boolean warning = !r.verdict().healthy() && worstProbeStatus(r.steps()).compareTo(Status.WARN) <= 0;
        Round round = new Round(at, r.verdict().cause(), r.verdict().confidence().label(), r.healthy(), warning, r.verdict().summary(),
                r.duration().toNanos() / 1e6);
        Round before = rounds.isEmpty() ? null : rounds.getLast();
        rounds.add(round);
        List<StepResult> flat = new ArrayList<>();
        flatten(r.steps(), flat);
        for (StepResult s : flat) {
            if (s.probe() == null || s.probe().isEmpty() || s.status() == Status.SKIPPED) continue;
            Row row = rows.computeIfAbsent(s.id(), id -> new Row(id, s.probe()));
            if (row.last != null && row.last != s.status()) row.changed = at;
            row.last = s.status();
            row.round = rounds.size();
            row.lastMs = s.observation().duration().toNanos() / 1e6;
            row.totalMs += row.lastMs;
            row.seen++;
            if (s.status() != Status.OK) row.notOk++;
        }
        if (before != null && !before.cause().equals(round.cause())) {
            Change c = new Change(at, before, round);
            changes.add(c);
            return c;
        }
        return null;
    }

    /** The worst status of the probe steps that ran, errors left out (a check that could not run is not the fault). */
    private static Status worstProbeStatus(List<StepResult> steps) {
        List<StepResult> flat = new ArrayList<>();
        flatten(steps, flat);
        Status worst = Status.OK;
        for (StepResult s : flat) {
            if (s.probe() == null || s.probe().isEmpty() || s.status() == Status.ERROR || s.status() == Status.SKIPPED) continue;
            if (s.status().compareTo(worst) > 0) worst = s.status();
        }
        return worst;
    }

    private static void flatten(List<StepResult> steps, List<StepResult> out) {
        for (StepResult s : steps) {
            out.add(s);
            flatten(s.children(), out);
        }
    }

    List<Round> rounds() {
        return rounds;
    }

    List<Change> changes() {
        return changes;
    }

    List<Row> rows() {
        return List.copyOf(rows.values());
    }

    /** Whether the row's step ran in the last round. */
    boolean ranLast(Row r) {
        return r.round == rounds.size();
    }

    Round last() {
        return rounds.isEmpty() ? null : rounds.getLast();
    }

    /**
     * The summary at the end: how long, how many rounds, the time in each verdict (a round's verdict holds until the
     * next round, the last one's until {@code end}) and its spans, and the changes.
     */
    List<String> summary(String target, Instant end) {
        List<String> out = new ArrayList<>();
        if (rounds.isEmpty()) {
            out.add("watched " + target + ": no round completed");
            return out;
        }
        Map<String, Duration> time = new LinkedHashMap<>();
        Map<String, Integer> spans = new LinkedHashMap<>();
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            Instant until = i + 1 < rounds.size() ? rounds.get(i + 1).at() : end;
            time.merge(r.verdict(), Duration.between(r.at(), until).isNegative() ? Duration.ZERO : Duration.between(r.at(), until), Duration::plus);
            if (i == 0 || !rounds.get(i - 1).cause().equals(r.cause())) spans.merge(r.verdict(), 1, Integer::sum);
        }
        Duration total = Duration.between(rounds.getFirst().at(), end);
        List<String> parts = new ArrayList<>();
        time.forEach((v, d) -> parts.add(v + " " + text(d) + " (" + spans.get(v) + (spans.get(v) == 1 ? " span)" : " spans)")));
        out.add("watched " + target + " for " + text(total) + ", " + rounds.size() + (rounds.size() == 1 ? " round: " : " rounds: ")
                + String.join(", ", parts) + "; " + changes.size() + (changes.size() == 1 ? " change" : " changes"));
        for (Change c : changes) {
            out.add("  " + StoredHistory.TIME.format(c.at()) + "  " + c.from().verdict() + " → " + c.to().verdict());
        }
        return out;
    }

    static String text(Duration d) {
        long s = d.toSeconds();
        if (s < 60) return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        if (s < 3600) return s / 60 + "m " + s % 60 + "s";
        return s / 3600 + "h " + s % 3600 / 60 + "m";
    }
}
