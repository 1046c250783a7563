package dev.reach.core.playbook;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A playbook file's text, read as UTF-8. A file that is not UTF-8 is refused at the first byte that cannot be,
 * with its line and column and the byte itself, instead of the JDK's {@code MalformedInputException: Input length = 1}.
 *
 * <pre>{@code
 * String yaml = PlaybookText.read(abs, "connect.yaml");
 * // connect.yaml:3:12: the file is not UTF-8 text: byte 0xE9 cannot start or continue a character; save it as UTF-8
 * }</pre>
 */
public final class PlaybookText {
    /** The largest playbook file, comments and all: 1 MiB. */
    static final long MAX_BYTES = 1 << 20;

    private PlaybookText() {
    }

    /**
     * The text of {@code file}.
     *
     * @param name the file as the user wrote it, for positions
     * @throws PlaybookException when it cannot be read or is not UTF-8
     */
    public static String read(Path file, String name) throws PlaybookException {
        byte[] bytes;
        try {
            long size = Files.size(file);   // before reading: a 10 MB file is refused at once, not after parsing it
            if (size > MAX_BYTES) {
                throw new PlaybookException(SourcePos.unknown(name), "the playbook is " + (size >> 10) + " KiB; a playbook is at most "
                        + (MAX_BYTES >> 10) + " KiB (split it, and include: the parts)");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PlaybookException(SourcePos.unknown(name), "cannot read the playbook: " + dev.reach.spi.Failures.text(e));
        }
        return decode(bytes, name);
    }

    /** {@code bytes} as UTF-8 text; the first byte that is not valid UTF-8 is a problem at its line and column. */
    static String decode(byte[] bytes, String name) throws PlaybookException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = utf8.decode(in, out, true);
        if (!r.isError()) {
            r = utf8.flush(out);
        }
        if (r.isError()) {
            int at = in.position();             // the first byte of the sequence that is not UTF-8
            String before = out.flip().toString();
            int line = 1 + (int) before.chars().filter(c -> c == '\n').count();
            int lineStart = before.lastIndexOf('\n') + 1;
            int col = 1 + before.codePointCount(lineStart, before.length());
            String what = at < bytes.length ? "byte 0x" + HexFormat.of().withUpperCase().toHexDigits(bytes[at])
                    + (r.length() > 1 ? " (and the " + (r.length() - 1) + " after it)" : "") : "the last bytes";
            throw new PlaybookException(new SourcePos(name, line, col), "the file is not UTF-8 text: " + what
                    + " is not a valid UTF-8 character there (was it saved as Latin-1 or Windows-1252?); save it as UTF-8");
        }
        return out.flip().toString();
    }
}
