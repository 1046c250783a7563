package dev.reach.shell.term;

/**
 * What the output is attached to (named so as not to be taken for JLine's Terminal): colours only on a terminal and never with NO_COLOR or --no-color;
 * live progress only when standard error is a terminal. Deciding costs nothing (no JLine terminal is built).
 */
public record OutputMode(boolean color, boolean interactive) {
    /** This process's own standard output and error. */
    public static OutputMode detect(boolean noColor) {
        java.io.Console console = System.console();
        boolean tty = console != null && console.isTerminal();
        String noColorEnv = System.getenv("NO_COLOR");
        boolean dumb = "dumb".equals(System.getenv("TERM"));
        boolean color = tty && !noColor && (noColorEnv == null || noColorEnv.isEmpty()) && !dumb;
        return new OutputMode(color, tty && !dumb);
    }
}
