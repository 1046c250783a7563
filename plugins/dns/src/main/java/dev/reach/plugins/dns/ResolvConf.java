package dev.reach.plugins.dns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a resolv.conf tells the system resolver, read the way glibc reads it: {@code nameserver} lines (the
 * first three count), {@code search}/{@code domain} (the last one wins), {@code options ndots:N timeout:N
 * attempts:N rotate}. Lines glibc would skip are kept as {@link #problems()} so a probe can show them.
 *
 * @param nameservers the servers glibc would ask, in order
 * @param search      the search list
 * @param ndots       dots a name needs before it is tried as given first
 * @param timeout     seconds glibc waits for the first server's answer (options timeout:N, default 5)
 * @param attempts    rounds over all the servers before a lookup fails (options attempts:N, default 2)
 * @param rotate      each lookup starts at the next server (options rotate), not always at the first
 * @param problems    one line per malformed or ignored line, with its number
 */
record ResolvConf(List<Nameserver> nameservers, List<String> search, int ndots, int timeout, int attempts, boolean rotate,
                  List<String> problems) {
    /** glibc's MAXNS: later nameserver lines are ignored. */
    static final int MAX_NAMESERVERS = 3;
    /** glibc's RES_TIMEOUT and RES_DFLRETRY, and the largest values it takes (RES_MAXRETRANS, RES_MAXRETRY). */
    static final int DEFAULT_TIMEOUT = 5;
    static final int DEFAULT_ATTEMPTS = 2;
    private static final int MAX_TIMEOUT = 30;
    private static final int MAX_ATTEMPTS = 5;

    /**
     * How one server's UDP questions end for glibc's resolver: silence (it waits the server's timeout, then asks the
     * next), at once with nothing to use (refused, unreachable, SERVFAIL, REFUSED: it asks the next), an answer
     * (NOERROR, NXDOMAIN: it stops), or an answer late (one of the two questions unanswered: it waits the timeout,
     * then uses what came).
     */
    enum Turn { SILENT, NEXT, ANSWER, LATE }

    /**
     * How long glibc waits for the server at {@code index} of {@code count} before asking the next one: the timeout
     * for the first, {@code (timeout << index) / count} for the others, at least one second (res_send.c, send_dg).
     */
    Duration serverWait(int index, int count) {
        long seconds = index == 0 ? timeout : ((long) timeout << index) / count;
        return Duration.ofSeconds(Math.max(1, seconds));
    }

    /** How long a lookup takes to fail when no server answers: the silent servers' waits, {@code attempts} times. */
    Duration giveUp(List<Turn> turns) {
        Duration round = Duration.ZERO;
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i) != Turn.NEXT) {
                round = round.plus(serverWait(i, turns.size()));
            }
        }
        return round.multipliedBy(attempts);
    }

    /**
     * The wait before glibc has an answer, for each server a lookup can start with: only the first, or each in turn
     * with {@code rotate}. Null for a start from which no server answers in the first round.
     */
    List<Duration> waitsBeforeAnswer(List<Turn> turns) {
        List<Duration> out = new ArrayList<>();
        for (int start = 0; start < (rotate ? turns.size() : Math.min(1, turns.size())); start++) {
            Duration waited = Duration.ZERO;
            boolean answered = false;
            for (int k = 0; k < turns.size() && !answered; k++) {
                int i = (start + k) % turns.size();
                Turn t = turns.get(i);
                if (t == Turn.SILENT || t == Turn.LATE) {
                    waited = waited.plus(serverWait(i, turns.size()));
                }
                answered = t == Turn.ANSWER || t == Turn.LATE;
            }
            out.add(answered ? waited : null);
        }
        return out;
    }

    /** {@code timeout:5 attempts:2}, with {@code rotate} when set: the options as a person checks them in the file. */
    String options() {
        return "timeout:" + timeout + " attempts:" + attempts + (rotate ? " rotate" : "");
    }

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
        int timeout = DEFAULT_TIMEOUT;
        int attempts = DEFAULT_ATTEMPTS;
        boolean rotate = false;
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
                        String value = option.substring(option.indexOf(':') + 1);
                        try {
                            if (option.startsWith("ndots:")) {
                                ndots = Math.clamp(Integer.parseInt(value), 0, 15);
                            } else if (option.startsWith("timeout:")) {
                                timeout = Math.clamp(Integer.parseInt(value), 0, MAX_TIMEOUT);
                            } else if (option.startsWith("attempts:")) {
                                attempts = Math.clamp(Integer.parseInt(value), 1, MAX_ATTEMPTS);
                            } else if (option.equals("rotate")) {
                                rotate = true;
                            }
                        } catch (NumberFormatException e) {
                            problems.add(where + "'" + option + "' is not a number"
                                    + (option.startsWith("ndots:") ? " of dots" : "") + " (ignored)");
                        }
                    }
                }
                case "sortlist" -> { } // valid, irrelevant to which servers answer
                default -> problems.add(where + "unknown keyword '" + words[0] + "' (ignored)");
            }
        }
        return new ResolvConf(List.copyOf(servers), search, ndots, timeout, attempts, rotate, List.copyOf(problems));
    }
}
