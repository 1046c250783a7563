package dev.reach.shell;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shell's rooms point one way: {@code term} (what output is attached to, live progress) and {@code docs} (the man
 * page, help topics and completion scripts, written from a reference of the command tree) and {@code history} (the run
 * history: its store, the facts it compares, the recorder) → {@code command} (the
 * picocli commands, the workbench they run on, the command tree) → {@code repl} (the JLine shell),
 * {@code resident} (the resident reach) and {@code serve} (the HTTP exporter), which know nothing of each other → the
 * entry point in the shell's own package, the one place that knows every room. A room uses only the rooms before it, read from every
 * {@code dev.reach.shell[.ROOM].Class} a main file names, imported or written out (a type of another package is
 * named so at least once). And no main file reaches itself through others: the files form no loop.
 */
class RoomsTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/reach/shell");
    private static final Map<String, Integer> RANK = Map.of("term", 1, "docs", 1, "history", 1, "command", 2, "repl", 3, "resident", 3, "serve", 3, "", 4);
    private static final Pattern NAMED = Pattern.compile("dev\\.reach\\.shell\\.(?:([a-z]+)\\.)?([A-Z][A-Za-z0-9]*)");
    /** Comments, string and character literals: a name in them is no use of a type. */
    private static final Pattern NOT_CODE = Pattern.compile("/\\*.*?\\*/|//[^\\n]*|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\])'", Pattern.DOTALL);

    @Test
    void everyRoomUsesOnlyThoseBeforeIt() throws IOException {
        Set<String> against = new TreeSet<>();
        for (Path f : mainFiles()) {
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
        assertThat(against).as("arrows against term → command → repl | resident → the entry point").isEmpty();
    }

    @Test
    void noFileReachesItselfThroughOthers() throws IOException {
        Map<String, String> code = new TreeMap<>();
        for (Path f : mainFiles()) {
            code.put(f.getFileName().toString().replace(".java", ""), NOT_CODE.matcher(Files.readString(f)).replaceAll(" "));
        }
        Map<String, Set<String>> uses = new TreeMap<>();
        code.forEach((file, text) -> {
            Set<String> used = new TreeSet<>();
            for (String other : code.keySet()) {
                if (!other.equals(file) && Pattern.compile("(?<![\\w$])" + other + "\\b").matcher(text).find()) used.add(other);
            }
            uses.put(file, used);
        });
        assertThat(loops(uses)).as("files that reach themselves through others (file -> the files of its loop it names)").isEmpty();
    }

    @Test
    void aLoopIsFound() {
        Map<String, Set<String>> uses = Map.of("A", Set.of("B"), "B", Set.of("C"), "C", Set.of("A"), "D", Set.of("A"));
        assertThat(loops(uses)).containsExactly("A -> [B]; B -> [C]; C -> [A]");
    }

    private static List<Path> mainFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The strongly connected parts of more than one file (Tarjan), each as its files and the uses that close it. */
    static List<String> loops(Map<String, Set<String>> uses) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<String> found = new ArrayList<>();
        for (String v : new TreeSet<>(uses.keySet())) {
            if (!index.containsKey(v)) connect(v, uses, index, low, stack, onStack, found);
        }
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> uses, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<String> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : new TreeSet<>(uses.getOrDefault(v, Set.of()))) {
            if (!index.containsKey(w)) {
                connect(w, uses, index, low, stack, onStack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> part = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                part.add(w);
            } while (!w.equals(v));
            if (part.size() > 1) {
                List<String> edges = new ArrayList<>();
                for (String f : part) {
                    Set<String> inside = new TreeSet<>(uses.get(f));
                    inside.retainAll(part);
                    edges.add(f + " -> " + inside);
                }
                found.add(String.join("; ", edges));
            }
        }
    }
}
