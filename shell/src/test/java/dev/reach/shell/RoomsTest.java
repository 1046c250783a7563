package dev.reach.shell;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shell's rooms point one way: term (what output is attached to, live progress) → the commands in the shell's
 * own package. A room uses only the rooms before it, read from every {@code dev.reach.shell[.ROOM].Class} a main file
 * names, imported or written out (a type of another package is named so at least once). The other rooms (command,
 * repl, resident) are still to be made.
 */
class RoomsTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/reach/shell");
    private static final Map<String, Integer> RANK = Map.of("term", 1, "", 2);
    private static final Pattern NAMED = Pattern.compile("dev\\.reach\\.shell\\.(?:([a-z]+)\\.)?([A-Z][A-Za-z0-9]*)");

    @Test
    void everyRoomUsesOnlyThoseBeforeIt() throws IOException {
        Set<String> against = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String room = SOURCES.relativize(f.getParent()).toString();
                assertThat(RANK).as("%s is in a room the order does not know: give it a rank", f).containsKey(room);
                String text = Files.readString(f).replaceFirst("(?m)^package [^;]+;", "");
                Matcher m = NAMED.matcher(text);
                while (m.find()) {
                    String used = m.group(1) == null ? "" : m.group(1);
                    assertThat(RANK).as("%s names a room the order does not know: %s", f, used).containsKey(used);
                    if (!used.equals(room) && RANK.get(used) >= RANK.get(room)) {
                        against.add(f.getFileName() + " -> " + (used.isEmpty() ? "" : used + ".") + m.group(2));
                    }
                }
            }
        }
        assertThat(against).as("arrows against term → shell").isEmpty();
    }
}
