package dev.reach.core.playbook;

import java.util.List;
import java.util.stream.Collectors;

/** A playbook (or its inputs) is wrong: every problem found, in file order. Nothing ran. */
public final class PlaybookException extends Exception {
    private final transient List<Problem> problems;

    public PlaybookException(List<Problem> problems) {
        super(problems.stream().sorted().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = problems.stream().sorted().toList();
    }

    public PlaybookException(SourcePos pos, String message) {
        this(List.of(new Problem(pos, message)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
