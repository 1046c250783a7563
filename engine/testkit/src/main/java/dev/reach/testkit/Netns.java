package dev.reach.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway network lab made of Linux network namespaces joined only to each other by veth pairs: no
 * link into the host's namespace, no default route out, so nothing a test sends can leave the machine.
 * Needs root; guard tests with {@link Root#assumeRootWith}. {@link #close()} stops every process the lab
 * started (by PID) and deletes every namespace it made (their veths go with them), even after a failure.
 *
 * <pre>{@code
 * try (Netns lab = Netns.create()) {
 *     String client = lab.namespace("cli");                      // e.g. rt-3fa9c1-cli
 *     String server = lab.namespace("srv");
 *     lab.link(client, "198.18.0.1/24", server, "198.18.0.2/24");
 *     lab.exec(server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "81", "-j", "DROP").orThrow();
 *     Netns.Spawned listener = lab.spawn(server, "python3", "-c", LISTEN_SCRIPT);
 *     listener.awaitOutput("listening", Duration.ofSeconds(5));
 *     Netns.Result r = lab.exec(client, "ping", "-c1", "-W1", "198.18.0.2");
 * }
 * }</pre>
 *
 * <p>Names: namespaces are {@code rt-<6 hex>-<role>} (at most 15 characters, roles cut to 5); the veth
 * end in a namespace is {@code v<n>-<peer role>}, e.g. {@code v0-srv}. IPv6 addresses are added with
 * {@code nodad} so they work at once.
 */
public final class Netns implements AutoCloseable {
    /** How long one command may run unless the caller says otherwise. */
    public static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);
    private static final Path ETC_NETNS = Path.of("/etc/netns");

    private final String id;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Spawned> spawned = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::cleanUp, "netns-cleanup");
    private int links;
    private boolean closed;

    private Netns(String id) {
        this.id = id;
        // a JVM stopped by a build timeout still removes its namespaces
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A new, empty lab with a random id. */
    public static Netns create() {
        return new Netns(HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(1 << 24)).substring(2));
    }

    /** What a finished command printed. */
    public record Result(List<String> command, int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        /** This result when the exit code is 0; otherwise throws with the command and everything it printed. */
        public Result orThrow() {
            if (!ok()) {
                throw new IllegalStateException(this.toString());
            }
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " exited " + exit + (out.isBlank() ? "" : "\nstdout: " + out.strip())
                    + (err.isBlank() ? "" : "\nstderr: " + err.strip());
        }
    }

    /** One veth pair: {@code devA} lives in namespace {@code a}, {@code devB} in {@code b}. */
    public record Link(String a, String devA, String b, String devB) {
    }

    /** Creates a namespace named after the role (loopback up) and returns its full name. */
    public synchronized String namespace(String role) {
        if (!role.matches("[a-z0-9]+")) {
            throw new IllegalArgumentException("role '" + role + "' must be lower-case letters and digits");
        }
        String name = "rt-" + id + "-" + role.substring(0, Math.min(5, role.length()));
        if (namespaces.contains(name)) {
            throw new IllegalArgumentException("this lab already has a namespace " + name);
        }
        host(EXEC_TIMEOUT, "ip", "netns", "add", name).orThrow();
        namespaces.add(name);
        ip(name, "link", "set", "lo", "up");
        return name;
    }

    /**
     * Joins two of this lab's namespaces with a veth pair created directly inside them (it never exists in
     * the host's namespace), gives each end its address ({@code 198.18.0.1/24}, {@code fd00:198:18::1/64}) and
     * brings both up.
     */
    public synchronized Link link(String a, String addrA, String b, String addrB) {
        owned(a);
        owned(b);
        int n = links++;
        String devA = "v" + n + "-" + role(b);
        String devB = "v" + n + "-" + role(a);
        host(EXEC_TIMEOUT, "ip", "link", "add", devA, "netns", a, "type", "veth", "peer", "name", devB, "netns", b).orThrow();
        address(a, devA, addrA);
        address(b, devB, addrB);
        ip(a, "link", "set", devA, "up");
        ip(b, "link", "set", devB, "up");
        return new Link(a, devA, b, devB);
    }

    /**
     * A LAN: a bridge in {@code switchNs}, a port on it per member namespace, each member's end with its address (two
     * may claim one, as a test of ARP conflicts wants); returns the members' devices in order. For example
     * {@code lab.lan(sw, client, "198.18.10.1/24", router, "198.18.10.254/24", imposter, "198.18.10.254/24")}.
     */
    public synchronized List<String> lan(String switchNs, String... membersAndAddresses) {
        owned(switchNs);
        if (membersAndAddresses.length % 2 != 0) {
            throw new IllegalArgumentException("give each member namespace with its address");
        }
        String bridge = "br" + links++;
        ip(switchNs, "link", "add", bridge, "type", "bridge");
        ip(switchNs, "link", "set", bridge, "up");
        List<String> devs = new ArrayList<>();
        for (int i = 0; i < membersAndAddresses.length; i += 2) {
            String member = membersAndAddresses[i];
            owned(member);
            int n = links++;
            String dev = "v" + n + "-" + role(switchNs);
            String port = "p" + n + "-" + role(member);
            host(EXEC_TIMEOUT, "ip", "link", "add", dev, "netns", member, "type", "veth", "peer", "name", port, "netns", switchNs).orThrow();
            ip(switchNs, "link", "set", port, "master", bridge);
            ip(switchNs, "link", "set", port, "up");
            address(member, dev, membersAndAddresses[i + 1]);
            ip(member, "link", "set", dev, "up");
            devs.add(dev);
        }
        return devs;
    }

    /**
     * Writes {@code /etc/netns/<ns>/<file>}, which {@code ip netns exec} binds over {@code /etc/<file>} for every
     * command run in the namespace: how a test gives a namespace its own {@code resolv.conf} and {@code hosts}, so the
     * system resolver (getaddrinfo) is tested for real. Written in place, so a later call changes what later commands
     * see; removed with the namespace.
     */
    public void etc(String ns, String file, String content) {
        owned(ns);
        if (!file.matches("[a-z.]+")) {
            throw new IllegalArgumentException("'" + file + "' is not a file name like hosts or resolv.conf");
        }
        try {
            Path dir = Files.createDirectories(ETC_NETNS.resolve(ns));
            Files.writeString(dir.resolve(file), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a route in a namespace, e.g. {@code route(client, "198.19.0.0/16", "198.18.0.2")}. */
    public void route(String ns, String destination, String via) {
        ip(ns, "route", "add", destination, "via", via);
    }

    /** Runs {@code ip -n <ns> args...} and throws with its output when it fails. */
    public Result ip(String ns, String... args) {
        owned(ns);
        return host(EXEC_TIMEOUT, Stream.concat(Stream.of("ip", "-n", ns), Stream.of(args)).toArray(String[]::new)).orThrow();
    }

    /** Runs a command inside a namespace and waits at most {@link #EXEC_TIMEOUT}; see {@link Result#orThrow()}. */
    public Result exec(String ns, String... command) {
        return exec(EXEC_TIMEOUT, ns, command);
    }

    /** Runs a command inside a namespace, killed (by PID) and reported as an exception if it outlives the timeout. */
    public Result exec(Duration timeout, String ns, String... command) {
        owned(ns);
        return host(timeout, inside(ns, command));
    }

    /** Starts a long-running command inside a namespace (a listener); the lab stops it on close. */
    public synchronized Spawned spawn(String ns, String... command) {
        owned(ns);
        try {
            Path log = Files.createTempFile("rt-spawn-", ".log");
            Process p = new ProcessBuilder(inside(ns, command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Spawned s = new Spawned(p, log);
            spawned.add(s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A process started by {@link #spawn}: {@code ip netns exec} execs the command, so this PID is the command's. */
    public static final class Spawned implements AutoCloseable {
        private final Process process;
        private final Path log;

        private Spawned(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        public long pid() {
            return process.pid();
        }

        public boolean alive() {
            return process.isAlive();
        }

        /** Everything it printed so far, stdout and stderr merged. */
        public String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        /** Waits until its output contains the text; false when it exits first or the wait runs out. */
        public boolean awaitOutput(String text, Duration wait) {
            long end = System.nanoTime() + wait.toNanos();
            for (int i = 0; i < 100_000 && System.nanoTime() < end; i++) {
                if (output().contains(text)) {
                    return true;
                }
                if (!process.isAlive()) {
                    return output().contains(text);
                }
                sleep(Duration.ofMillis(20));
            }
            return output().contains(text);
        }

        /** Stops it by PID (its children first): SIGTERM, then SIGKILL after a grace period. */
        @Override
        public void close() {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroy();
            try {
                if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }

    /** Stops what the lab spawned, then deletes its namespaces; throws afterwards if a namespace would not go. */
    @Override
    public void close() {
        List<String> problems = cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook has nothing left to do
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("lab " + id + " cleanup: " + String.join("; ", problems));
        }
    }

    private synchronized List<String> cleanUp() {
        List<String> problems = new ArrayList<>();
        if (closed) {
            return problems;
        }
        closed = true;
        spawned.reversed().forEach(Spawned::close);
        spawned.clear();
        for (String ns : namespaces.reversed()) {
            deleteTree(ETC_NETNS.resolve(ns));
            try {
                Result r = host(EXEC_TIMEOUT, "ip", "netns", "del", ns);
                if (!r.ok()) {
                    problems.add(r.toString());
                }
            } catch (RuntimeException e) {
                problems.add(ns + ": " + e.getMessage());
            }
        }
        namespaces.clear();
        return problems;
    }

    /** Adds an address to an interface of a namespace, e.g. a second, IPv6 one to a {@link Link} end. */
    public void address(String ns, String dev, String cidr) {
        if (cidr.contains(":")) {
            ip(ns, "addr", "add", cidr, "dev", dev, "nodad");
        } else {
            ip(ns, "addr", "add", cidr, "dev", dev);
        }
    }

    private synchronized void owned(String ns) {
        if (closed || !namespaces.contains(ns)) {
            throw new IllegalArgumentException(ns + " is not a namespace of this lab (" + namespaces + ")");
        }
    }

    private String role(String ns) {
        return ns.substring(("rt-" + id + "-").length());
    }

    private static String[] inside(String ns, String... command) {
        return Stream.concat(Stream.of("ip", "netns", "exec", ns), Stream.of(command)).toArray(String[]::new);
    }

    /** Runs a command in the host's namespace (only {@code ip}, on this lab's namespaces), bounded by the timeout. */
    private static Result host(Duration timeout, String... command) {
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("rt-exec-", ".out");
            err = Files.createTempFile("rt-exec-", ".err");
            p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout.toMillis()
                        + "ms and was killed; it printed: " + Files.readString(out) + Files.readString(err));
            }
            return new Result(List.of(command), p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /** Kills a process and its children by PID and waits briefly for it to go. */
    private static void kill(Process p) {
        if (p == null) {
            return;
        }
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(Netns::delete);
        } catch (IOException e) {
            // a leftover /etc/netns folder only matters to a namespace of the same name, which this lab's random id avoids
        }
    }

    private static void delete(Path p) {
        try {
            if (p != null) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
