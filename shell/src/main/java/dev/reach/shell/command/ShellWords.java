package dev.reach.shell.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way a POSIX shell does, without running one: blanks separate words, single
 * quotes keep everything literally, double quotes keep blanks and let a backslash escape {@code " \ $ `}, a backslash
 * outside quotes keeps the next character. Nothing is expanded ({@code $HOME}, {@code *} and {@code ~} stay as
 * written): {@code --server-via 'ssh -F ~/x b'} is best written with the path spelled out.
 */
final class ShellWords {
    private ShellWords() {
    }

    /** @throws IllegalArgumentException on an unterminated quote or a trailing backslash */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unterminated ' in: " + line);
                w.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char d = line.charAt(j);
                    if (d == '\\' && j + 1 < line.length() && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                        w.append(line.charAt(++j));
                    } else {
                        w.append(d);
                    }
                }
                if (j >= line.length()) throw new IllegalArgumentException("unterminated \" in: " + line);
                i = j;
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) throw new IllegalArgumentException("a backslash ends: " + line);
                w.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) words.add(w.toString());
        return List.copyOf(words);
    }
}
