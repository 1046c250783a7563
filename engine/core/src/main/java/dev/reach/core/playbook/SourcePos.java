package dev.reach.core.playbook;

/** Where something was written: file, 1-based line and column. Prints as {@code file:line:col}. */
public record SourcePos(String file, int line, int col) {
    public static SourcePos unknown(String file) {
        return new SourcePos(file, 0, 0);
    }

    /** The same line, {@code n} columns further right. */
    public SourcePos plusColumns(int n) {
        return new SourcePos(file, line, col + n);
    }

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line + ":" + col;
    }
}
