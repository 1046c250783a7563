package dev.reach.plugins.dns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a resolv.conf tells the system resolver, read the way glibc reads it: {@code nameserver} lines (the
 * first three count), {@code search}/{@code domain} (the last one wins), {@code options ndots:N}. Lines
 * glibc would skip are kept as {@link #problems()} so a probe can show them.
 *
 * @param nameservers the servers glibc would ask, in order
 * @param search      the search list
 * @param ndots       dots a name needs before it is tried as given first
 * @param problems    one line per malformed or ignored line, with its number
 */
record ResolvConf(List<Nameserver> nameservers, List<String> search, int ndots, List<String> problems) {
    /** glibc's MAXNS: later nameserver lines are ignored. */
    static final int MAX_NAMESERVERS = 3;

    /**
     * The names to ask, in order, as glibc's search does: a name ending with a dot, or with at least ndots dots,
     * as given only; a shorter one with each search domain first, then as given. Each ends with a dot.
     */
    List<String> candidates(String name) {
        if (name.endsWith(".")) {
            return List.of(name);
        }
        long dots = name.chars().filter(c -> c == '.').count();
        if (dots >= ndots || search.isEmpty()) {
            return List.of(name + ".");
        }
        List<String> out = new ArrayList<>();
        search.forEach(domain -> out.add(name + "." + domain + "."));
        out.add(name + ".");
        return List.copyOf(out);
    }

    static ResolvConf read(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    static ResolvConf parse(String text, String source) {
        List<Nameserver> servers = new ArrayList<>();
        List<String> search = List.of();
        int ndots = 1;
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String where = source + " line " + (i + 1) + ": ";
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String[] words = line.split("\\s+");
            switch (words[0]) {
                case "nameserver" -> {
                    if (words.length < 2) {
                        problems.add(where + "'nameserver' without an address (ignored)");
                    } else if (servers.size() == MAX_NAMESERVERS) {
                        problems.add(where + "nameserver " + words[1] + " is ignored: glibc uses only the first "
                                + MAX_NAMESERVERS);
                    } else {
                        try {
                            // resolv.conf has no port syntax: an address, maybe with a %scope
                            servers.add(new Nameserver(java.net.InetAddress.ofLiteral(words[1]), Nameserver.DNS_PORT));
                        } catch (IllegalArgumentException e) {
                            problems.add(where + "'" + words[1] + "' is not an IP address (ignored)");
                        }
                    }
                }
                case "search", "domain" -> {
                    if (words.length < 2) {
                        problems.add(where + "'" + words[0] + "' without a domain (ignored)");
                    } else {
                        search = List.of(words).subList(1, words[0].equals("domain") ? 2 : words.length).stream()
                                .map(d -> d.endsWith(".") ? d.substring(0, d.length() - 1) : d).toList();
                    }
                }
                case "options" -> {
                    for (String option : List.of(words).subList(1, words.length)) {
                        if (option.startsWith("ndots:")) {
                            try {
                                ndots = Math.clamp(Integer.parseInt(option.substring(6)), 0, 15);
                            } catch (NumberFormatException e) {
                                problems.add(where + "'" + option + "' is not a number of dots (ignored)");
                            }
                        }
                    }
                }
                case "sortlist" -> { } // valid, irrelevant to which servers answer
                default -> problems.add(where + "unknown keyword '" + words[0] + "' (ignored)");
            }
        }
        return new ResolvConf(List.copyOf(servers), search, ndots, List.copyOf(problems));
    }
}
