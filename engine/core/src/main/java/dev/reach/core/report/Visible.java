package dev.reach.core.report;

/**
 * Text from the network (a banner, a header, a certificate field, a DNS answer, a tool's output) made safe to print
 * for people: a terminal must never act on it. Every renderer for people (the text report, the JUnit XML, the
 * shell's progress lines) passes what a probe reported through {@link #text} before it writes it.
 *
 * <ul>
 *   <li>A tab, a line feed and a carriage return become one space each: a line break inside one summary or
 *       evidence line must not start a line of its own (a fake {@code Verdict: ok}); the report wraps lines
 *       itself.</li>
 *   <li>Every other C0 control (U+0000 to U+001F, ESC among them), DEL (U+007F) and every C1 control (U+0080 to
 *       U+009F, CSI U+009B among them) is shown as {@code \xNN}: {@code ESC]0;title BEL} reads
 *       {@code \x1b]0;title\x07}.</li>
 *   <li>The Unicode line and paragraph separators and the bidirectional controls (which can make a line read in
 *       another order than it is written) are shown as a backslash, {@code u} and four hex digits.</li>
 * </ul>
 *
 * <pre>{@code
 * Visible.text("SSH-2.0\033[2J\r\nVerdict: ok")   // "SSH-2.0\x1b[2J  Verdict: ok"
 * }</pre>
 */
public final class Visible {
    private Visible() {
    }

    /** {@code s} with nothing a terminal acts on; {@code null} stays {@code null}. */
    public static String text(String s) {
        if (s == null || s.chars().noneMatch(Visible::special)) {
            return s;
        }
        var sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                sb.append(' ');
            } else if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else if (special(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Whether {@code c} is a control, a line or paragraph separator, or a bidirectional control. */
    static boolean special(int c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029
                || c >= 0x200e && c <= 0x200f || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x061c;
    }
}
