package dev.reach.shell.term;

import java.util.concurrent.FutureTask;
import java.util.function.IntSupplier;

/**
 * What the output is attached to (named so as not to be taken for JLine's Terminal): colours only on a terminal and never with NO_COLOR or --no-color;
 * live progress only when standard error is a terminal; the columns a report may take. Deciding builds no JLine
 * terminal: the width is {@code COLUMNS} when set, else the terminal's own (asked of the kernel), else 80.
 *
 * @param columns the columns of a line of text output; {@link #width()} reads it
 */
public record OutputMode(boolean color, boolean interactive, IntSupplier columns) {
    /** Where nothing says otherwise (output piped to a file or another program): the classic terminal's width. */
    public static final int DEFAULT_WIDTH = 80;
    /** A {@code COLUMNS} that says something: a positive number. */
    private static final String COLUMNS = "[1-9][0-9]{0,4}";

    public OutputMode(boolean color, boolean interactive, int width) {
        this(color, interactive, () -> width);
    }

    /** The columns a line of text output may take. */
    public int width() {
        return columns.getAsInt();
    }

    /**
     * This process's own standard output and error. On a terminal without {@code COLUMNS}, its width is asked in the
     * background from here on, while the engine loads or the run runs: the first native call costs 40 ms with the
     * start-up cache, 70 ms without.
     */
    public static OutputMode detect(boolean noColor) {
        java.io.Console console = System.console();
        boolean tty = console != null && console.isTerminal();
        String noColorEnv = System.getenv("NO_COLOR");
        boolean dumb = "dumb".equals(System.getenv("TERM"));
        boolean color = tty && !noColor && (noColorEnv == null || noColorEnv.isEmpty()) && !dumb;
        String columnsEnv = System.getenv("COLUMNS");
        if (!tty || columnsEnv != null && columnsEnv.matches(COLUMNS)) {
            return new OutputMode(color, tty && !dumb, width(columnsEnv, false, () -> 0));
        }
        FutureTask<Integer> asked = new FutureTask<>(() -> width(null, true, TerminalColumns::ofStandardOutput));
        Thread.ofPlatform().daemon().name("reach-columns").start(asked);
        return new OutputMode(color, tty && !dumb, () -> {
            try {
                return asked.get();
            } catch (Exception e) {
                return DEFAULT_WIDTH;
            }
        });
    }

    /**
     * The width of text output: {@code COLUMNS} when it is a positive number (as many tools honour it), else on a
     * terminal what {@code terminal} says it has, else {@link #DEFAULT_WIDTH}. {@code terminal} is asked only then.
     */
    public static int width(String columnsEnv, boolean tty, IntSupplier terminal) {
        if (columnsEnv != null && columnsEnv.matches(COLUMNS)) {
            return Integer.parseInt(columnsEnv);
        }
        int asked = tty ? terminal.getAsInt() : 0;
        return asked > 0 ? asked : DEFAULT_WIDTH;
    }
}
