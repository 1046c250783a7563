package dev.reach.shell.resident;

import dev.reach.core.Reach;
import dev.reach.core.run.AbandonedThreads;
import dev.reach.shell.command.CommandTree;
import dev.reach.shell.command.EngineSetup;
import dev.reach.shell.command.ExitCodes;
import dev.reach.shell.history.Recorder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A resident reach: one warm JVM that runs the {@code reach} launcher's commands for one user, one network
 * namespace and one checkout, so that a command costs what its probes cost and not a JVM's start (0.4-0.5 s).
 * {@code reach daemon start} starts it; the launcher hands it a command through {@code resident-client.pl}
 * over a Unix socket in a directory only the user can enter, and runs the command itself whenever the
 * resident one declines.
 *
 * <p>It declines (and the command runs as usual, in a new JVM) unless the command would see exactly what it
 * sees: the same network namespace, the same {@code /etc/resolv.conf} and {@code /etc/hosts} files, the same
 * {@code PATH}, {@code HOME}, {@code REACH_PLUGINS}, XDG, proxy and resolver variables, and the same distribution,
 * unchanged since it started (it watches the checkout's sources, the build stamp and the plugin folders, and
 * stops when they change). It serves only commands that read nothing from standard input: {@code reach
 * HOST:PORT}, {@code diagnose}, {@code probe}, {@code run}, {@code listen}, {@code probes}. One command runs at a
 * time, and a client that comes meanwhile is declined (its own JVM runs it, as if no resident ran); Ctrl-C in
 * the client cancels it, as it would a command in its own JVM, and a second Ctrl-C (or SIGTERM) ends the client
 * at once. It stops after {@link #idle} without a command, on {@code reach daemon stop}, on SIGTERM, or when
 * more than {@link #MAX_ABANDONED} probe threads ignored their interrupt. The client's working directory
 * may be any: the paths a user gives relative to it (the playbook of {@code run}, {@code --junit},
 * {@code --plugins}, {@code file} parameters and inputs such as {@code ca=}) are resolved against it, as the
 * command's own JVM would; only a {@code REACH_PLUGINS} naming a relative directory ties it to its own.
 *
 * <p>Its parts: {@link ResidentPlace} (where it lives, and the identity a client must share), {@link ResidentWire}
 * (the protocol, both sides), {@link ResidentWorkbench} (what one served command runs with) and {@link SourceWatch}.
 */
final class Resident implements AutoCloseable {
    /**
     * How many probe threads may still run after their steps gave up on them (they ignored the interrupt) before the
     * resident stops, so that the next command starts a fresh JVM: each may hold a core or memory for good.
     */
    static final int MAX_ABANDONED = 4;

    /** The commands it serves (and {@code reach HOST:PORT}, which is diagnose). */
    static final Set<String> SERVED = Set.of("diagnose", "probe", "run", "listen", "probes");
    /** Clients served (or waiting to be) at once; one more is hung up on, and its own JVM runs its command. */
    static final int MAX_CLIENTS = 16;
    /** How long a client may take to send its request once connected. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final Path socket;
    private final Path pidFile;
    private final Duration idle;
    private final ResidentPlace.Identity self;
    private final SourceWatch sources;
    private final ServerSocketChannel server;
    private final ReentrantLock oneAtATime = new ReentrantLock();
    /** Threads for clients and their Ctrl-C watchers, kept between commands: starting one costs a millisecond here. */
    private final java.util.concurrent.ExecutorService threads =
            java.util.concurrent.Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("resident-", 0).factory());
    /** The command line the clients' commands run through. */
    private final CommandTree tree;
    private final Map<EngineSetup, Reach> engines = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private final Instant started = Instant.now();
    private volatile long lastUse = System.nanoTime();
    private volatile String stopping;
    private volatile boolean ready;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Resident(Path socket, Duration idle, ResidentPlace.Identity self, SourceWatch sources, ServerSocketChannel server,
                     CommandTree tree) {
        this.tree = tree;
        this.socket = socket;
        this.pidFile = ResidentPlace.pidFile(socket);
        this.idle = idle;
        this.self = self;
        this.sources = sources;
        this.server = server;
    }

    /**
     * Binds the socket for this network namespace (removing one a dead resident left) and writes the PID file.
     *
     * @throws IOException when another resident already serves it, or the directory is not safe
     */
    static Resident bind(Duration idle, Path checkout, CommandTree tree) throws IOException {
        Path socket = ResidentPlace.socketFor(ResidentPlace.directory(true), ResidentPlace.netns());
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (ResidentWire.answers(socket)) {
                throw new IOException("a resident reach already serves this network namespace (" + socket + ")");
            }
            Files.delete(socket);
        }
        // REACH_PLUGINS is the same for every client it serves (ResidentPlace), so the folders are too
        SourceWatch sources = SourceWatch.open(checkout, Path.of(System.getProperty("reach.home", ".")).resolve(".built"),
                EngineSetup.userPluginFolders());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Resident r = new Resident(socket, idle, ResidentPlace.Identity.here(), sources, server, tree);
        Files.writeString(r.pidFile, ProcessHandle.current().pid() + "\n" + r.self.cwd() + "\n" + idle.toSeconds() + "\n"
                + r.started + "\n");
        return r;
    }

    /**
     * Runs loopback commands through its own socket, as the launcher's client would (nothing leaves the host:
     * diagnoses of 127.0.0.1:1, route lookups, which ask the kernel only, and DNS questions to a closed
     * loopback port), for up to 4 seconds, so that
     * the first real commands find the code compiled: a cold command here took 45-70 ms, a warm one 5-10.
     * Pings are declined until it is done, so 'reach daemon start' returns when it is ready.
     */
    void warmUp() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("protocol", ResidentWire.PROTOCOL);
        fields.put("netns", self.netns());
        fields.put("resolv", self.resolvConf());
        fields.put("hosts", self.hosts());
        fields.put("cwd", self.cwd());
        fields.put("home", self.home());
        self.environment().forEach((k, v) -> fields.put("env." + k, v));
        List<List<String>> commands = new ArrayList<>();
        for (String form : List.of("--json", "--quiet", "--verbose")) {
            commands.add(List.of("127.0.0.1:1", form, "--set", "timeout=2s"));
        }
        for (String host : List.of("198.18.255.254", "::1")) {   // no route where there is no default; local
            commands.add(List.of("probe", "route.lookup", "host=" + host, "--json"));
            commands.add(List.of("probe", "route.lookup", "host=" + host));
        }
        // the dns probe's paths against a closed loopback port (refused at once): no name leaves the host
        commands.add(List.of("probe", "dns.resolve", "name=warm-up.invalid", "server=127.0.0.1:1", "system=off",
                "timeout=300ms", "--json"));
        long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        for (int round = 0; round < 12 && System.nanoTime() < end; round++) {
            for (List<String> args : commands) {
                List<String> unrecorded = new ArrayList<>(args);
                unrecorded.add("--no-history");   // warming up is no run of the user's: it stays out of the history
                ResidentWire.exchange(socket, fields, unrecorded, OutputStream.nullOutputStream());
            }
        }
        served.set(0);
        ready = true;
    }

    /** Serves until idle, stopped, or its sources change. */
    void serve() {
        Thread watchdog = Thread.ofPlatform().daemon().name("resident-idle").start(this::watchIdle);
        int failures = 0;
        try {
            while (stopping == null) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                    failures = 0;
                } catch (ClosedChannelException e) {
                    break;
                } catch (IOException e) {
                    if (!server.isOpen()) break;
                    if (++failures >= 100) {      // out of file descriptors, say: a resident that cannot accept stops
                        stop("it could not accept a connection 100 times in a row: " + e.getMessage());
                        break;
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        break;
                    }
                    continue;
                }
                if (active.get() >= MAX_CLIENTS) {   // a flood of half-open connections must not cost a thread each
                    try {
                        ch.close();                  // the client declines on a closed connection: its own JVM runs it
                    } catch (IOException e) {
                        // closed anyway
                    }
                    continue;
                }
                active.incrementAndGet();
                threads.execute(() -> {
                    try (ch) {
                        handle(ch);
                    } catch (IOException | RuntimeException e) {
                        // the client went away mid-answer: nothing to tell it
                    } finally {
                        lastUse = System.nanoTime();
                        active.decrementAndGet();
                    }
                });
            }
        } finally {
            watchdog.interrupt();
            close();
        }
    }

    String stopReason() {
        return stopping;
    }

    private void watchIdle() {
        try {
            while (stopping == null) {
                Thread.sleep(Math.min(1000, Math.max(10, idle.toMillis() / 4)));
                if (active.get() == 0 && System.nanoTime() - lastUse > idle.toNanos()) {
                    stop("no command for " + text(idle));
                }
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    /**
     * Stops taking commands and removes the socket and PID file at once, so that a 'reach daemon start' told
     * of the stop (a ping it declined) binds the path anew without this one removing the new socket later.
     */
    synchronized void stop(String why) {
        if (stopping != null) return;
        stopping = why;
        try {
            server.close();
        } catch (IOException e) {
            // closed anyway
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            // a later start removes what is left
        }
    }

    private void handle(SocketChannel ch) throws IOException {
        InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch));   // a request is read byte by byte
        ResidentWire.Frames frames = new ResidentWire.Frames(Channels.newOutputStream(ch));
        ResidentWire.ClientRequest request;
        var read = ResidentWire.hangUpUnlessRead(ch, REQUEST_TIMEOUT);   // a client that says nothing is hung up on
        try {
            request = ResidentWire.ClientRequest.read(in);
            read.set(true);
        } catch (IOException e) {
            if (ch.isOpen()) frames.send(ResidentWire.DECLINE, "a request it cannot read: " + e.getMessage());
            return;
        }
        String user = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        if (!user.equals(System.getProperty("user.name"))) {
            frames.send(ResidentWire.DECLINE, "another user (" + user + ")");
            return;
        }
        if (!ResidentWire.PROTOCOL.equals(request.fields().get("protocol"))) {
            frames.send(ResidentWire.DECLINE, "another protocol: " + request.fields().get("protocol"));
            return;
        }
        String changed = sources.changed();
        if (changed != null) {
            stop(changed);
            frames.send(ResidentWire.DECLINE_LOUD, "reach: the resident reach stopped: " + changed + "; 'reach daemon start' starts a new one\n");
            return;
        }
        if ("ping".equals(request.fields().get("control"))) {
            if (!ready) {
                frames.send(ResidentWire.DECLINE, "warming up");
                return;
            }
            frames.send(ResidentWire.OUT, status());
            frames.exit(ExitCodes.HEALTHY);
            return;
        }
        String why = servable(tree, request.args());
        if (why == null) why = self.mismatch(request.fields());
        if (why != null) {
            frames.send(ResidentWire.DECLINE, why);
            return;
        }
        if (!oneAtATime.tryLock()) {   // never queue a client behind a long run: its own JVM serves it meanwhile
            frames.send(ResidentWire.DECLINE, "busy with another command");
            return;
        }
        try {
            ResidentWorkbench bench = new ResidentWorkbench(request, this::engine, this::history);
            threads.execute(() -> {
                try {
                    in.read();              // a byte (Ctrl-C) or the end (the client is gone) cancels
                } catch (IOException e) {
                    // closed
                }
                bench.cancelRun();
            });
            frames.send(ResidentWire.STARTED, "");   // from here the client never runs it again, whatever happens
            // flushed by the progress view as it draws, and at the end: a frame per line cost 0.1 ms a line
            PrintWriter out = new PrintWriter(new OutputStreamWriter(frames.stream(ResidentWire.OUT), StandardCharsets.UTF_8), false);
            PrintWriter err = new PrintWriter(new OutputStreamWriter(frames.stream(ResidentWire.ERR), StandardCharsets.UTF_8), false);
            int code;
            try {
                code = tree.run(bench, out, err, request.args().toArray(String[]::new));
            } catch (RuntimeException | Error e) {
                err.println("reach: internal error in the resident reach: " + e);
                code = ExitCodes.INTERNAL;
            }
            out.flush();
            err.flush();
            served.incrementAndGet();
            int stuck = abandoned().size();
            if (stuck > MAX_ABANDONED) {   // before the client hears its exit code: its next command must not reach this one
                stop(stuck + " probe threads still ran after their steps gave up on them (more than " + MAX_ABANDONED + ")");
            }
            frames.exit(code);
        } finally {
            oneAtATime.unlock();
        }
    }

    /** Why these arguments are not for a resident run, or null. */
    static String servable(CommandTree tree, List<String> args) {
        if (args.isEmpty()) return "no command (the shell needs the terminal)";
        if (args.stream().anyMatch(a -> a.contains("=@-") || a.contains("=@env:"))) {
            return "a secret from standard input or the environment (=@-, =@env:) is read where the command runs";
        }
        String first = args.getFirst();
        if (SERVED.contains(first) || tree.isDiagnosis(args.toArray(String[]::new))) {
            return null;
        }
        return "'" + first + "' runs on its own";
    }

    String status() {
        return "resident reach " + ProcessHandle.current().pid() + ": serves network namespace " + self.netns() + " for "
                + self.home() + " (started in " + self.cwd() + ")\n  since " + started + ", " + served.get() + " command(s) served, stops after "
                + text(idle) + " without one\n  socket " + socket + "\n" + abandonedText();
    }

    /** The probe threads its engines gave up on that still run, oldest first. */
    List<AbandonedThreads.Entry> abandoned() {
        return engines.values().stream().flatMap(r -> r.abandonedProbes().stream())
                .sorted(java.util.Comparator.comparing(AbandonedThreads.Entry::since)).toList();
    }

    /** A line for {@link #status()} when probe threads outlived their steps; empty when none did. */
    private String abandonedText() {
        List<AbandonedThreads.Entry> stuck = abandoned();
        if (stuck.isEmpty()) return "";
        return "  " + stuck.size() + " probe thread(s) still running after their step gave up (it stops at more than "
                + MAX_ABANDONED + "): " + String.join(", ", stuck.stream().map(e -> e.name() + " since " + e.since()).toList()) + "\n";
    }

    @Override
    public void close() {
        stop("closed");
        if (!closed.compareAndSet(false, true)) return;
        // let a command that is answering finish (a decline saying why it stopped is being written): an
        // interrupt would close its channel mid-frame; whatever still runs after 3 s is interrupted
        threads.shutdown();
        try {
            if (!threads.awaitTermination(3, java.util.concurrent.TimeUnit.SECONDS)) threads.shutdownNow();
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
        engines.values().forEach(Reach::close);
        synchronized (this) {
            if (history != null) history.close();
        }
        sources.close();
    }

    private Recorder history;

    /** The run history, opened at the first run that records and kept for the resident's life. */
    synchronized Recorder history() {
        if (history == null) history = Recorder.fromEnvironment(false, "cli", System::getenv).prepare();
        return history;
    }

    /** The engine for this set-up, built at its first command and kept. */
    Reach engine(EngineSetup setup) {
        return engines.computeIfAbsent(setup, EngineSetup::build);
    }

    /** Durations as the verdicts write them ({@code 30m}, {@code 3s}). */
    static String text(Duration d) {
        long s = d.toSeconds();
        if (s > 0 && s % 3600 == 0) return s / 3600 + "h";
        if (s > 0 && s % 60 == 0) return s / 60 + "m";
        if (d.toMillis() % 1000 == 0) return s + "s";
        return d.toMillis() + "ms";
    }
}
