package dev.reach.core.script;

import dev.reach.core.playbook.SourcePos;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SourceSection;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A script's error as the playbook's author should read it: {@code file:line:col: TypeError: ...} at the
 * innermost frame of the playbook itself, and the JS stack trimmed to the playbook's own frames (no
 * engine internals, no host frames, no API prelude).
 */
final class JsErrors {
    private static final int MAX_FRAMES = 12;

    private JsErrors() {
    }

    static JsPlaybooks.Outcome.Failed failed(String file, PolyglotException e, String stopped) {
        List<String> stack = new ArrayList<>();
        SourcePos at = null;
        for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            SourceSection s = f.isGuestFrame() ? f.getSourceLocation() : null;
            if (s == null || !s.isAvailable() || !file.equals(s.getSource().getName())) continue;
            SourcePos pos = new SourcePos(file, s.getStartLine(), s.getStartColumn());
            if (at == null) at = pos;
            if (stack.size() < MAX_FRAMES) {
                String fn = f.getRootName() == null || f.getRootName().isEmpty() || f.getRootName().equals(":program")
                        ? "<module>" : f.getRootName();
                stack.add("at " + fn + " (" + pos + ")");
            }
        }
        SourceSection loc = e.getSourceLocation();
        if ((e.isSyntaxError() || at == null) && loc != null && loc.isAvailable() && file.equals(loc.getSource().getName())) {
            at = new SourcePos(file, loc.getStartLine(), loc.getStartColumn());
        }
        String where = at == null ? file : at.toString();
        String message;
        if (e.getMessage() != null && e.getMessage().contains("tatement count limit")) {
            message = "the script ran more than " + Sandbox.STATEMENT_LIMIT + " statements and was stopped (an endless loop?)";
        } else if (e.isInterrupted() || e.isCancelled()) {
            message = "the script was stopped" + (stopped == null ? "" : ": " + stopped);
        } else {
            message = clean(e.getMessage());
        }
        return new JsPlaybooks.Outcome.Failed(where + ": " + message, stack, stopped);
    }

    /** An error thrown in a callback the host called ({@code parallel}'s until): {@code file:line:col: TypeError: ...}. */
    static String where(PolyglotException e) {
        for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            SourceSection s = f.isGuestFrame() ? f.getSourceLocation() : null;
            if (s != null && s.isAvailable() && !s.getSource().isInternal()) {
                return new SourcePos(s.getSource().getName(), s.getStartLine(), s.getStartColumn()) + ": " + clean(e.getMessage());
            }
        }
        return clean(e.getMessage());
    }

    /** The failure of a script the watchdog stopped, saying why. */
    static JsPlaybooks.Outcome.Failed stopped(JsPlaybooks.Outcome.Failed f, String why) {
        String msg = f.message();
        int cut = msg.indexOf(": the script was stopped");
        String where = cut < 0 ? msg : msg.substring(0, cut);
        return new JsPlaybooks.Outcome.Failed(where + ": the script was stopped: " + why, f.stack(), why);
    }

    private static final Pattern POS = Pattern.compile(":(\\d+):(\\d+): ");

    /** The position a failure message starts with. */
    static SourcePos parsePos(String message, String file) {
        if (message.startsWith(file)) {
            Matcher m = POS.matcher(message);
            if (m.find(file.length()) && m.start() == file.length()) {
                return new SourcePos(file, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            }
        }
        return SourcePos.unknown(file);
    }

    private static String clean(String message) {
        if (message == null) return "error";
        String first = message.lines().findFirst().orElse("error");
        return first.replaceAll("(?<=^|\\s)\\S+\\.m?js:\\d+(:\\d+)? ", ""); // the engine's own "file:line:col ", said once already
    }
}
