package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;
import dev.reach.spi.Failures;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The system's answer for a name, asked while the nameservers are: with method os, getaddrinfo as an application
 * calls it, through {@code getent ahosts} ({@code ahostsv4} for A, {@code ahostsv6} for AAAA), which prints the
 * addresses in getaddrinfo's order (the JDK's own lookup puts IPv4 first). A process of its own, not a call in
 * this JVM: a lookup the nameservers' evidence has already decided (a silent first nameserver makes it wait
 * {@code options timeout}, 5 s by default) is ended by {@link #close()}, where a thread blocked in getaddrinfo would
 * hold the JVM's exit 300 ms and could not be stopped.
 */
final class SystemLookup implements AutoCloseable {
    private static final List<String> TOOL_DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

    private final CompletableFuture<SystemSaid> result = new CompletableFuture<>();
    private final long started = System.nanoTime();
    private Process process; // guarded by this
    private boolean closed;  // guarded by this

    private SystemLookup() {
    }

    /** Starts the lookup (os), or answers at once from the hosts file entries for the name (hosts), or not at all (off). */
    static SystemLookup start(String method, String name, String type, HostsFile hosts, List<HostsFile.Entry> entries) {
        SystemLookup lookup = new SystemLookup();
        List<String> inFile = entries.stream().map(HostsFile.Entry::address).distinct().toList();
        switch (method) {
            case "off" -> lookup.result.complete(SystemSaid.off(""));
            case "hosts" -> lookup.result.complete(SystemSaid.hosts(inFile, entries.isEmpty() ? "" : line(hosts, entries.getFirst())));
            default -> {
                Optional<Path> getent = tool("getent");
                if (getent.isEmpty()) {
                    lookup.result.complete(SystemSaid.off("getent is not on PATH (glibc's libc-bin): the system resolver "
                            + "was not asked; system=hosts reads the hosts file instead"));
                } else {
                    // a thread of its own: starting a process takes a few ms, which the questions to the servers need not wait
                    Thread.ofPlatform().daemon().name("reach-dns-system").start(() -> lookup.run(getent.get(), name, type, hosts, entries));
                }
            }
        }
        return lookup;
    }

    /** The answer, waiting at most {@code wait} for it; {@link SystemSaid#pending} when it has not come. */
    SystemSaid await(Duration wait) throws InterruptedException {
        try {
            return result.get(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return SystemSaid.pending(Duration.ofNanos(System.nanoTime() - started));
        } catch (ExecutionException e) {
            return SystemSaid.failed("getent failed: " + e.getCause(), Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /** Ends the lookup if it still runs (by the PID of the getent this started). */
    @Override
    public synchronized void close() {
        closed = true;
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private void run(Path getent, String name, String type, HostsFile hosts, List<HostsFile.Entry> entries) {
        String database = switch (type) {
            case "A" -> "ahostsv4";
            case "AAAA" -> "ahostsv6";
            default -> "ahosts";
        };
        try {
            Process p;
            synchronized (this) {
                if (closed) {
                    return;
                }
                p = new ProcessBuilder(getent.toString(), database, "--", name)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(new File("/dev/null")).start();
                process = p;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            List<String> addresses = addresses(out, type);
            if (exit == 0 && !addresses.isEmpty()) {
                result.complete(SystemSaid.answered(addresses, hostsLine(addresses, hosts, entries), took));
            } else if (exit == 0 || exit == 2) { // 2: getaddrinfo failed (no such name, no address, no nameserver answered)
                result.complete(SystemSaid.failed("getaddrinfo has no " + (type.equals("any") ? "" : type + " ") + "address for "
                        + name + " (getent " + database + ")", took));
            } else {
                result.complete(SystemSaid.off("getent " + database + " exited " + exit + ": the system resolver's answer is unknown"));
            }
        } catch (IOException | RuntimeException e) {
            result.complete(SystemSaid.off("getent could not be run (" + Failures.text(e) + "): the system resolver's answer is unknown"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The addresses of {@code getent ahosts} output, in its order, once each, of the wanted family (ahostsv6 maps IPv4
     * answers to {@code ::ffff:a.b.c.d} when there is no IPv6 one: those are not IPv6 addresses). Pure.
     */
    static List<String> addresses(String getentOutput, String type) {
        List<String> out = new ArrayList<>();
        for (String line : getentOutput.split("\n")) {
            String word = line.strip().split("\\s+")[0].toLowerCase(Locale.ROOT);
            if (word.isEmpty() || word.startsWith("::ffff:") || !Nameserver.isAddress(word)) {
                continue;
            }
            String text = Addresses.text(InetAddress.ofLiteral(word));
            if (DnsResolveProbe.wanted(text, type) && !out.contains(text)) {
                out.add(text);
            }
        }
        return List.copyOf(out);
    }

    /** The hosts file line of the first address when every address is in the file: the answer came from it. */
    private static String hostsLine(List<String> addresses, HostsFile hosts, List<HostsFile.Entry> entries) {
        Set<String> inFile = Set.copyOf(entries.stream().map(HostsFile.Entry::address).toList());
        if (!inFile.containsAll(addresses)) {
            return "";
        }
        return entries.stream().filter(e -> e.address().equals(addresses.getFirst())).findFirst().map(e -> line(hosts, e)).orElse("");
    }

    private static String line(HostsFile hosts, HostsFile.Entry e) {
        return hosts.source() + " line " + e.line();
    }

    /** A tool on PATH, else in the usual system directories (a service's PATH can be short). */
    private static Optional<Path> tool(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(TOOL_DIRS);
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }
}
