package dev.reach.shell.repl;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.ProbeSpec;
import org.jline.reader.Highlighter;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Colours the line as it is typed: a known command or probe bold, an unknown first word red; after a
 * probe, a parameter it does not take (or gives twice, or a value it refuses) red, so a typo shows before
 * Enter. Never waits for the engine: until plugins have loaded, probe words stay plain.
 */
final class ShellHighlighter implements Highlighter {
    private static final Pattern WORD = Pattern.compile("\\S+");
    private static final AttributedStyle COMMAND = AttributedStyle.BOLD;
    private static final AttributedStyle PROBE = AttributedStyle.BOLD.foreground(AttributedStyle.CYAN);
    private static final AttributedStyle NAME = AttributedStyle.DEFAULT.foreground(AttributedStyle.BLUE);
    private static final AttributedStyle OPTION = AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
    private static final AttributedStyle WRONG = AttributedStyle.BOLD.foreground(AttributedStyle.RED);

    /** What one word of the line is. */
    enum Kind { PLAIN, COMMAND, PROBE, NAME, OPTION, WRONG }

    /** A word at {@code start..end} of the line, and what it is. */
    record Span(int start, int end, Kind kind) {
    }

    private final Shell shell;
    private final boolean color;

    ShellHighlighter(Shell shell, boolean color) {
        this.shell = shell;
        this.color = color;
    }

    @Override
    public AttributedString highlight(LineReader reader, String buffer) {
        if (!color) {
            return new AttributedString(buffer);
        }
        AttributedStringBuilder b = new AttributedStringBuilder();
        int at = 0;
        for (Span s : spans(buffer)) {
            b.append(buffer.substring(at, s.start()));
            b.styled(style(s.kind()), buffer.substring(s.start(), s.end()));
            at = s.end();
        }
        b.append(buffer.substring(at));
        return b.toAttributedString();
    }

    /** The words of the line and what each is (pure: the unit tests read this). */
    List<Span> spans(String buffer) {
        List<Span> spans = new java.util.ArrayList<>();
        Matcher m = WORD.matcher(buffer);
        if (!m.find()) return spans;
        String first = m.group();
        Optional<ProbeSpec> probe = Optional.empty();
        boolean engine = shell.session().reachNow().isPresent();
        if (shell.commands().contains(first)) {
            spans.add(new Span(m.start(), m.end(), Kind.COMMAND));
            if ((first.equals("probe")) && m.find()) {
                probe = shell.probeNow(m.group());
                spans.add(new Span(m.start(), m.end(), probe.isPresent() ? Kind.PROBE : engine ? Kind.WRONG : Kind.PLAIN));
            } else if (first.equals("js")) {
                return spans; // JavaScript is not NAME=VALUE words
            }
        } else {
            probe = shell.probeNow(first);
            spans.add(new Span(m.start(), m.end(), probe.isPresent() ? Kind.PROBE : engine ? Kind.WRONG : Kind.PLAIN));
        }
        Set<String> seen = new HashSet<>();
        while (m.find()) {
            String w = m.group();
            int eq = w.indexOf('=');
            if (w.startsWith("-")) {
                spans.add(new Span(m.start(), m.end(), Kind.OPTION));
            } else if (probe.isPresent() && eq < 0 && m.end() == buffer.length()
                    && probe.get().shownParams().stream().anyMatch(p -> p.name().startsWith(w))) {
                spans.add(new Span(m.start(), m.end(), Kind.PLAIN)); // still being typed
            } else if (probe.isPresent()) {
                var p = eq > 0 ? probe.get().param(w.substring(0, eq)) : Optional.<dev.reach.spi.Param>empty();
                boolean wrong = p.isEmpty() || !seen.add(p.get().name())
                        || eq < w.length() - 1 && ParamBinder.checkValue(probe.get(), p.get(), w.substring(eq + 1)).isPresent();
                spans.add(new Span(m.start(), m.start() + Math.max(eq, 0) + (wrong ? w.length() - Math.max(eq, 0) : 0),
                        wrong ? Kind.WRONG : Kind.NAME));
            } else if (eq > 0) {
                spans.add(new Span(m.start(), m.start() + eq, Kind.NAME));
            }
        }
        return spans;
    }

    private static AttributedStyle style(Kind k) {
        return switch (k) {
            case PLAIN -> AttributedStyle.DEFAULT;
            case COMMAND -> COMMAND;
            case PROBE -> PROBE;
            case NAME -> NAME;
            case OPTION -> OPTION;
            case WRONG -> WRONG;
        };
    }
}
