package dev.reach.core.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Text broken into lines at spaces, never inside a word or a path: a word longer than the room has a line of
 * its own. The text report and the shell's listings share it, so every output fits the same way.
 *
 * <pre>{@code
 * Wrap.hanging("Fix: ", "     ", fix, 80).forEach(out::println);   // "Fix: ..." then lines under the text
 * }</pre>
 */
public final class Wrap {
    private Wrap() {
    }

    /** The words of {@code text} in lines of at most {@code width} characters; one empty line for blank text. */
    public static List<String> lines(String text, int width) {
        return lines(text, width, width);
    }

    /**
     * {@code text} in lines that start with {@code first} (the first line) or {@code rest} (the others) and end by
     * column {@code width}. The prefixes are counted as they are written, so they must not hold colour codes.
     */
    public static List<String> hanging(String first, String rest, String text, int width) {
        List<String> words = lines(text, width - first.length(), width - rest.length());
        List<String> out = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) {
            out.add(((i == 0 ? first : rest) + words.get(i)).stripTrailing());
        }
        return out;
    }

    /**
     * The words in lines of at most {@code firstWidth} (the first) and {@code width} (the others) characters; a
     * first word too long for the first line but not for the others leaves the first line empty. Runs of white
     * space, line breaks too, are one space: a condition written over lines in YAML reads as one sentence.
     */
    public static List<String> lines(String text, int firstWidth, int width) {
        List<String> lines = new ArrayList<>();
        var line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            int room = lines.isEmpty() ? firstWidth : width;
            boolean fitsNextLine = lines.isEmpty() && word.length() > firstWidth && word.length() <= width;
            if (!line.isEmpty() && line.length() + 1 + word.length() > room || line.isEmpty() && fitsNextLine) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
