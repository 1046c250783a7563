package dev.reach.shell.term;

import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A screen redrawn in place on the terminal's alternate screen (JLine's {@link Display} sends only what changed), for
 * live views such as {@code reach watch}; closing it gives the terminal back as it was. Ctrl-C calls the given action.
 */
public final class FullScreen implements AutoCloseable {
    private final Terminal terminal;
    private final Display display;

    private FullScreen(Terminal terminal) {
        this.terminal = terminal;
        this.display = new Display(terminal, true);
    }

    /** Opens the process's terminal full screen; {@code onInterrupt} runs on Ctrl-C (and on a resize the screen is redrawn). */
    public static FullScreen open(Runnable onInterrupt) throws IOException {
        Terminal t = TerminalBuilder.builder().name("reach").system(true).build();
        FullScreen screen = new FullScreen(t);
        t.handle(Terminal.Signal.INT, s -> onInterrupt.run());
        t.puts(InfoCmp.Capability.enter_ca_mode);
        t.puts(InfoCmp.Capability.cursor_invisible);
        t.flush();
        return screen;
    }

    /** The terminal's width now. */
    public int columns() {
        int w = terminal.getWidth();
        return w > 0 ? w : OutputMode.DEFAULT_WIDTH;
    }

    /** Shows these lines (ANSI colours kept, each cut at the width), from the top. */
    public synchronized void show(List<String> lines) {
        Size size = terminal.getSize();
        int rows = size.getRows() > 0 ? size.getRows() : 24;
        int cols = size.getColumns() > 0 ? size.getColumns() : OutputMode.DEFAULT_WIDTH;
        display.resize(rows, cols);
        List<AttributedString> shown = new ArrayList<>();
        for (String l : lines.subList(0, Math.min(lines.size(), rows - 1))) {
            AttributedString a = AttributedString.fromAnsi(l);
            shown.add(a.columnLength() > cols ? a.columnSubSequence(0, cols) : a);
        }
        display.update(shown, -1);
        terminal.flush();
    }

    @Override
    public synchronized void close() {
        terminal.puts(InfoCmp.Capability.exit_ca_mode);
        terminal.puts(InfoCmp.Capability.cursor_visible);
        terminal.flush();
        try {
            terminal.close();
        } catch (IOException ignored) {
            // the terminal is gone already
        }
    }
}
