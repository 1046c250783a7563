package dev.reach.shell;

/**
 * What the output is attached to: colours only on a terminal and never with NO_COLOR or --no-color;
 * live progress only when standard error is a terminal. Deciding costs nothing (no JLine terminal is built).
 */
record Terminal(boolean color, boolean interactive) {
    static Terminal detect(boolean noColor) {
        java.io.Console console = System.console();
        boolean tty = console != null && console.isTerminal();
        String noColorEnv = System.getenv("NO_COLOR");
        boolean dumb = "dumb".equals(System.getenv("TERM"));
        boolean color = tty && !noColor && (noColorEnv == null || noColorEnv.isEmpty()) && !dumb;
        return new Terminal(color, tty && !dumb);
    }
}
