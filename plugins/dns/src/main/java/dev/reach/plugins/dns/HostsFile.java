package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A hosts file ({@code /etc/hosts}), read the way glibc's {@code files} source reads it: an address, then
 * names, {@code #} starts a comment. Lines it would skip are kept as {@link #problems()}.
 *
 * @param source   the file's path, for evidence
 * @param entries  one per (address, name) pair, in file order
 * @param problems one line per malformed line, with its number
 */
record HostsFile(String source, List<Entry> entries, List<String> problems) {

    /** One name on one line. */
    record Entry(String address, String name, int line) {
    }

    static HostsFile read(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    static HostsFile parse(String text, String source) {
        List<Entry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String[] words = (hash < 0 ? line : line.substring(0, hash)).strip().split("\\s+");
            if (words[0].isEmpty()) {
                continue;
            }
            String where = source + " line " + (i + 1) + ": ";
            InetAddress address;
            try {
                address = InetAddress.ofLiteral(words[0]);
            } catch (IllegalArgumentException e) {
                problems.add(where + "'" + words[0] + "' is not an IP address (line ignored)");
                continue;
            }
            if (words.length < 2) {
                problems.add(where + words[0] + " has no name (line ignored)");
                continue;
            }
            for (int w = 1; w < words.length; w++) {
                entries.add(new Entry(Addresses.text(address), canonical(words[w]), i + 1));
            }
        }
        return new HostsFile(source, List.copyOf(entries), List.copyOf(problems));
    }

    /** The entries for a name (case-insensitive, trailing dot ignored), in file order. */
    List<Entry> lookup(String name) {
        String wanted = canonical(name);
        return entries.stream().filter(e -> e.name().equals(wanted)).toList();
    }

    private static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
