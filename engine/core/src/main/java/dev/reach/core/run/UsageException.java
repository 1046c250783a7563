package dev.reach.core.run;

import java.util.List;

/** The user asked for something that cannot run (a wrong parameter, an unknown input): exit code 2, nothing ran. */
public final class UsageException extends Exception {
    private final transient List<String> problems;

    public UsageException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public UsageException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
