package dev.reach.plugins.host;

import java.util.function.BooleanSupplier;

/**
 * A line for {@code java.util.regex} that gives up when told to stop: the regex engine has no timeout of its own,
 * and a pattern with nested quantifiers ({@code ((a+)+)+c}) can backtrack for longer than the universe has left on
 * one line of a log. The matcher reads its input through {@link #charAt}, so checking the stop condition there (every
 * 4096 reads: cheap on ordinary patterns) ends a runaway match with {@link Stopped}.
 */
final class DeadlineText implements CharSequence {
    /** Thrown out of a match that was told to stop. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("the search was stopped", null, false, false);
        }
    }

    private final CharSequence text;
    private final BooleanSupplier stop;
    private int reads;

    /** @param stop whether to give up (the step's deadline passed, or the thread was interrupted) */
    DeadlineText(CharSequence text, BooleanSupplier stop) {
        this.text = text;
        this.stop = stop;
    }

    @Override
    public char charAt(int index) {
        if ((++reads & 0xFFF) == 0 && stop.getAsBoolean()) {
            throw new Stopped();
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new DeadlineText(text.subSequence(start, end), stop);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
