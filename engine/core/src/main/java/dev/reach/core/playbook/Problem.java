package dev.reach.core.playbook;

/** One thing wrong with a playbook, compiler-style: where, what, and how to fix it. */
public record Problem(SourcePos pos, String message) implements Comparable<Problem> {
    @Override
    public String toString() {
        return pos + ": " + message;
    }

    @Override
    public int compareTo(Problem o) {
        int c = pos.file().compareTo(o.pos.file());
        if (c != 0) return c;
        c = Integer.compare(pos.line(), o.pos.line());
        return c != 0 ? c : Integer.compare(pos.col(), o.pos.col());
    }
}
