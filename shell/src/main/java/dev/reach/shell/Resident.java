package dev.reach.shell;

import dev.reach.core.Reach;
import dev.reach.core.run.Cancellation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * working directory, the same {@code PATH}, {@code HOME}, {@code REACH_PLUGINS} and XDG directories, and the
 * same distribution, unchanged since it started (it watches the checkout's sources and the build stamp, and
 * stops when they change). It serves only commands that read nothing from standard input: {@code reach
 * HOST:PORT}, {@code diagnose}, {@code probe}, {@code run}, {@code listen}, {@code probes}. One command runs at a
 * time; Ctrl-C in the client cancels it, as it would a command in its own JVM. It stops after
 * {@link #idle} without a command, on {@code reach daemon stop}, or on SIGTERM.
 *
 * <p>Protocol ({@value #PROTOCOL}): the client sends NUL-terminated fields, {@code key=value} then
 * {@code argc=N} and the N arguments; the resident answers with frames of one type byte, a 4-byte big-endian
 * length and the payload: 1 standard output, 2 standard error, 3 exit code (4 bytes), 4 declined (a reason,
 * kept quiet), 5 declined (a reason the client prints). A byte from the client after its request cancels the
 * run; so does the client going away.
 */
final class Resident implements AutoCloseable {
    static final String PROTOCOL = "reach-resident/1";
    /** The commands it serves (and {@code reach HOST:PORT}, which is diagnose). */
    static final Set<String> SERVED = Set.of("diagnose", "probe", "run", "listen", "probes");
    /** The environment a command's result can depend on: a client whose values differ is declined. */
    static final List<String> ENVIRONMENT = List.of("PATH", "HOME", "REACH_PLUGINS", "XDG_DATA_HOME", "XDG_CONFIG_HOME");
    static final int OUT = 1, ERR = 2, EXIT = 3, DECLINE = 4, DECLINE_LOUD = 5;
    private static final int MAX_REQUEST = 1 << 20;

    private final Path socket;
    private final Path pidFile;
    private final Duration idle;
    private final Identity self;
    private final SourceWatch sources;
    private final ServerSocketChannel server;
    private final ReentrantLock oneAtATime = new ReentrantLock();
    /** Threads for clients and their Ctrl-C watchers, kept between commands: starting one costs a millisecond here. */
    private final java.util.concurrent.ExecutorService threads =
            java.util.concurrent.Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("resident-", 0).factory());
    private final Map<List<Object>, Reach> engines = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private final Instant started = Instant.now();
    private volatile long lastUse = System.nanoTime();
    private volatile String stopping;
    private volatile boolean ready;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** What a command would see here; the client's must be the same. */
    record Identity(String netns, String resolvConf, String hosts, String cwd, String home, Map<String, String> environment) {
        static Identity here() throws IOException {
            Map<String, String> env = new LinkedHashMap<>();
            for (String k : ENVIRONMENT) {
                String v = System.getenv(k);
                if (v != null) env.put(k, v);
            }
            return new Identity(Resident.netns(), fileId(Path.of("/etc/resolv.conf")), fileId(Path.of("/etc/hosts")),
                    Path.of("").toAbsolutePath().toString(), String.valueOf(System.getProperty("reach.home")), env);
        }

        /** Why a client with these fields must not be served here, or null when it may. */
        String mismatch(Map<String, String> f) {
            if (!netns.equals(f.get("netns"))) return "it runs in another network namespace";
            if (!resolvConf.equals(f.get("resolv")) || !hosts.equals(f.get("hosts"))) {
                return "it sees another /etc/resolv.conf or /etc/hosts (another mount namespace)";
            }
            if (!cwd.equals(f.get("cwd"))) return "it runs in another directory (the resident one runs in " + cwd + ")";
            if (!home.equals(f.get("home"))) return "it is another reach (" + f.get("home") + ")";
            for (String k : ENVIRONMENT) {
                if (!Objects.equals(environment.get(k), f.get("env." + k))) return "its " + k + " differs";
            }
            return null;
        }
    }

    private Resident(Path socket, Duration idle, Identity self, SourceWatch sources, ServerSocketChannel server) {
        this.socket = socket;
        this.pidFile = pidFile(socket);
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
    static Resident bind(Duration idle, Path checkout) throws IOException {
        Path socket = socketFor(directory(true), netns());
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (answers(socket)) {
                throw new IOException("a resident reach already serves this network namespace (" + socket + ")");
            }
            Files.delete(socket);
        }
        SourceWatch sources = SourceWatch.open(checkout, Path.of(System.getProperty("reach.home", ".")).resolve(".built"));
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Resident r = new Resident(socket, idle, Identity.here(), sources, server);
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
        fields.put("protocol", PROTOCOL);
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
                exchange(socket, fields, args, OutputStream.nullOutputStream());
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
        Frames frames = new Frames(Channels.newOutputStream(ch));
        Request request;
        try {
            request = Request.read(in);
        } catch (IOException e) {
            frames.send(DECLINE, "a request it cannot read: " + e.getMessage());
            return;
        }
        String user = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        if (!user.equals(System.getProperty("user.name"))) {
            frames.send(DECLINE, "another user (" + user + ")");
            return;
        }
        if (!PROTOCOL.equals(request.fields().get("protocol"))) {
            frames.send(DECLINE, "another protocol: " + request.fields().get("protocol"));
            return;
        }
        String changed = sources.changed();
        if (changed != null) {
            stop(changed);
            frames.send(DECLINE_LOUD, "reach: the resident reach stopped: " + changed + "; 'reach daemon start' starts a new one\n");
            return;
        }
        if ("ping".equals(request.fields().get("control"))) {
            if (!ready) {
                frames.send(DECLINE, "warming up");
                return;
            }
            frames.send(OUT, status());
            frames.exit(ExitCodes.HEALTHY);
            return;
        }
        String why = servable(request.args());
        if (why == null) why = self.mismatch(request.fields());
        if (why != null) {
            frames.send(DECLINE, why);
            return;
        }
        oneAtATime.lock();
        try {
            Bench bench = new Bench(request, this);
            threads.execute(() -> {
                try {
                    in.read();              // a byte (Ctrl-C) or the end (the client is gone) cancels
                } catch (IOException e) {
                    // closed
                }
                bench.cancelRun();
            });
            // flushed by the progress view as it draws, and at the end: a frame per line cost 0.1 ms a line
            PrintWriter out = new PrintWriter(new OutputStreamWriter(frames.stream(OUT), StandardCharsets.UTF_8), false);
            PrintWriter err = new PrintWriter(new OutputStreamWriter(frames.stream(ERR), StandardCharsets.UTF_8), false);
            int code;
            try {
                code = Main.run(bench, out, err, request.args().toArray(String[]::new));
            } catch (RuntimeException | Error e) {
                err.println("reach: internal error in the resident reach: " + e);
                code = ExitCodes.INTERNAL;
            }
            out.flush();
            err.flush();
            served.incrementAndGet();
            frames.exit(code);
        } finally {
            oneAtATime.unlock();
        }
    }

    /** Why these arguments are not for a resident run, or null. */
    static String servable(List<String> args) {
        if (args.isEmpty()) return "no command (the shell needs the terminal)";
        String first = args.getFirst();
        if (SERVED.contains(first) || (!Main.isCommand(first) && DiagnoseCommand.looksLikeTarget(first))) {
            return null;
        }
        return "'" + first + "' runs on its own";
    }

    String status() {
        return "resident reach " + ProcessHandle.current().pid() + ": serves network namespace " + self.netns() + " in "
                + self.cwd() + " for " + self.home() + "\n  since " + started + ", " + served.get() + " command(s) served, stops after "
                + text(idle) + " without one\n  socket " + socket + "\n";
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
        sources.close();
    }

    /** An engine for these options, loaded once and kept (the launcher's plugins, REACH_PLUGINS, --plugins). */
    Reach engine(CommonOptions common, boolean scripted) {
        return engines.computeIfAbsent(List.of(List.copyOf(common.pluginDirs), scripted), k -> common.reach(scripted));
    }

    // ---- where it lives

    /**
     * The user's directory for resident sockets: {@code $XDG_RUNTIME_DIR/reach} when that directory is the
     * user's, else {@code /tmp/reach-UID}; made with mode 700, and refused when someone else owns it or can
     * enter it.
     */
    static Path directory(boolean create) throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg))
                && uid == (Integer) Files.getAttribute(Path.of(xdg), "unix:uid")
                ? Path.of(xdg, "reach") : Path.of("/tmp", "reach-" + uid);
        if (create && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made by a resident starting at the same time: checked below
            }
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    || uid != (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                    || ((Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 077) != 0) {
                throw new IOException(dir + " is not a directory only this user can enter; remove it");
            }
        }
        return dir;
    }

    /** The inode number of this process's network namespace, as in {@code /proc/self/ns/net -> net:[4026531840]}. */
    static String netns() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        return link.replaceAll("\\D", "");
    }

    static Path socketFor(Path dir, String netns) {
        return dir.resolve("net-" + netns + ".sock");
    }

    static Path pidFile(Path socket) {
        return socket.resolveSibling(socket.getFileName().toString().replace(".sock", ".pid"));
    }

    /** {@code DEV:INODE} of a file as this process's mount namespace shows it, {@code -} when it has none. */
    static String fileId(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
            return a.get("dev") + ":" + a.get("ino");
        } catch (IOException | UnsupportedOperationException e) {
            return "-";
        }
    }

    /** Whether a resident answers on this socket (a ping, within a second). */
    static boolean answers(Path socket) {
        return ping(socket) != null;
    }

    /** The resident's status text, or null when none answers within 10 seconds. */
    static String ping(Path socket) {
        var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> pingNow(socket), r -> Thread.ofPlatform().daemon().start(r));
        try {
            return answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String pingNow(Path socket) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Integer code = exchange(socket, Map.of("protocol", PROTOCOL, "control", "ping"), List.of(), text);
        return code == null ? null : text.toString(StandardCharsets.UTF_8);
    }

    /**
     * One request, the way the launcher's client makes it: its standard output goes to {@code out}, the rest
     * is dropped. Returns the exit code, or null when it was declined or the connection failed.
     */
    static Integer exchange(Path socket, Map<String, String> fields, List<String> args, OutputStream out) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            fields.forEach((k, v) -> req.writeBytes((k + "=" + v + "\0").getBytes(StandardCharsets.UTF_8)));
            req.writeBytes(("argc=" + args.size() + "\0").getBytes(StandardCharsets.UTF_8));
            args.forEach(a -> req.writeBytes((a + "\0").getBytes(StandardCharsets.UTF_8)));
            ch.write(ByteBuffer.wrap(req.toByteArray()));
            InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch));
            for (int frames = 0; frames < 100_000; frames++) {
                byte[] head = in.readNBytes(5);
                if (head.length < 5) return null;
                int len = ByteBuffer.wrap(head, 1, 4).getInt();
                if (len < 0 || len > MAX_REQUEST) return null;
                byte[] body = in.readNBytes(len);
                switch (head[0]) {
                    case OUT -> out.write(body);
                    case EXIT -> {
                        return ByteBuffer.wrap(body).getInt();
                    }
                    case DECLINE, DECLINE_LOUD -> {
                        return null;
                    }
                    default -> { }
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    // ---- the wire

    /** A client's request: its fields and the command's arguments. */
    record Request(Map<String, String> fields, List<String> args) {
        /** Reads NUL-terminated fields up to {@code argc=N}, then N arguments. */
        static Request read(InputStream in) throws IOException {
            Map<String, String> fields = new LinkedHashMap<>();
            int total = 0;
            while (true) {
                String f = field(in);
                total += f.length();
                if (total > MAX_REQUEST) throw new IOException("longer than " + MAX_REQUEST + " bytes");
                int eq = f.indexOf('=');
                if (eq < 0) throw new IOException("a field without '=': " + f);
                String k = f.substring(0, eq);
                if (k.equals("argc")) {
                    int n;
                    try {
                        n = Integer.parseInt(f.substring(eq + 1));
                    } catch (NumberFormatException e) {
                        throw new IOException("argc is not a number: " + f);
                    }
                    if (n < 0 || n > 10_000) throw new IOException("argc out of range: " + n);
                    List<String> args = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        String a = field(in);
                        total += a.length();
                        if (total > MAX_REQUEST) throw new IOException("longer than " + MAX_REQUEST + " bytes");
                        args.add(a);
                    }
                    return new Request(fields, List.copyOf(args));
                }
                fields.put(k, f.substring(eq + 1));
            }
        }

        private static String field(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i <= MAX_REQUEST; i++) {
                int c = in.read();
                if (c < 0) throw new IOException("the request ended early");
                if (c == 0) return b.toString(StandardCharsets.UTF_8);
                b.write(c);
            }
            throw new IOException("a field longer than " + MAX_REQUEST + " bytes");
        }

        boolean flag(String key) {
            return "1".equals(fields.get(key));
        }
    }

    /** Frames on the client's connection; each write is one frame, sent whole. */
    static final class Frames {
        private final OutputStream raw;

        Frames(OutputStream raw) {
            this.raw = raw;
        }

        synchronized void send(int type, byte[] payload, int off, int len) throws IOException {
            byte[] frame = new byte[5 + len];
            frame[0] = (byte) type;
            ByteBuffer.wrap(frame, 1, 4).putInt(len);
            System.arraycopy(payload, off, frame, 5, len);
            raw.write(frame);
            raw.flush();
        }

        void send(int type, String text) throws IOException {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            send(type, b, 0, b.length);
        }

        void exit(int code) throws IOException {
            send(EXIT, ByteBuffer.allocate(4).putInt(code).array(), 0, 4);
        }

        /** A stream whose writes go out as frames of this type (buffered until flushed by the PrintWriter above it). */
        OutputStream stream(int type) {
            return new OutputStream() {
                private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

                @Override
                public void write(int b) {
                    buffer.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    buffer.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    if (buffer.size() > 0) {
                        byte[] b = buffer.toByteArray();
                        buffer.reset();
                        send(type, b, 0, b.length);
                    }
                }
            };
        }
    }

    /** The workbench of one resident command: the kept engines, the client's terminal, cancelled from the client. */
    static final class Bench implements Workbench {
        private final Request request;
        private final Resident resident;
        private volatile Cancellation current;
        private volatile boolean cancelled;

        Bench(Request request, Resident resident) {
            this.request = request;
            this.resident = resident;
        }

        void cancelRun() {
            cancelled = true;
            Cancellation c = current;
            if (c != null) c.cancel();
        }

        @Override
        public Terminal terminal(boolean noColor) {
            String noColorEnv = request.fields().get("env.NO_COLOR");
            boolean dumb = "dumb".equals(request.fields().get("env.TERM"));
            boolean tty = request.flag("tty");
            return new Terminal(tty && !noColor && (noColorEnv == null || noColorEnv.isEmpty()) && !dumb,
                    request.flag("errtty") && tty && !dumb);
        }

        @Override
        public <T> T withReach(CommonOptions common, ReachUse<T> use) throws Exception {
            return use.apply(resident.engine(common, false));
        }

        @Override
        public int execute(dev.reach.shell.Request request, CommonOptions common, OutputOptions output, PrintWriter out, PrintWriter err)
                throws Exception {
            if (!Runs.junitDirectoryExists(output, err)) {
                return ExitCodes.USAGE;
            }
            Cancellation cancel = new Cancellation();
            current = cancel;
            if (cancelled) cancel.cancel();
            try {
                return Runs.runAndReport(resident.engine(common, request.scripted()), request, common, output,
                        terminal(common.noColor), cancel, out, err);
            } finally {
                current = null;
            }
        }
    }

    /**
     * Makes the JDK look names up afresh each time in this process (a shell, a resident reach): by default it
     * keeps an answer 30 s and a failure 10 s for the whole process, so a run after a DNS fix would still see
     * the fault. Takes effect when set before the first lookup.
     */
    static void freshNameLookups() {
        java.security.Security.setProperty("networkaddress.cache.ttl", "0");
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }

    /** Durations as the verdicts write them ({@code 30m}, {@code 3s}). */
    static String text(Duration d) {
        long s = d.toSeconds();
        if (s > 0 && s % 3600 == 0) return s / 3600 + "h";
        if (s > 0 && s % 60 == 0) return s / 60 + "m";
        if (d.toMillis() % 1000 == 0) return s + "s";
        return d.toMillis() + "ms";
    }

    /**
     * Whether the distribution it runs has changed since it started: the build stamp's time, and (in a
     * checkout) any change under the sources the launcher rebuilds from, seen through inotify.
     */
    static final class SourceWatch implements AutoCloseable {
        private static final List<String> TREES = List.of("engine", "plugins", "shell", "third-party", "playbooks");
        private final Path stamp;
        private final FileTime stampTime;
        private final java.nio.file.WatchService watch;
        private final Path root;
        private volatile String changed;

        private SourceWatch(Path stamp, FileTime stampTime, java.nio.file.WatchService watch, Path root) {
            this.stamp = stamp;
            this.stampTime = stampTime;
            this.watch = watch;
            this.root = root;
        }

        static SourceWatch open(Path checkout, Path stamp) throws IOException {
            FileTime t = Files.exists(stamp) ? Files.getLastModifiedTime(stamp) : null;
            if (checkout == null || !Files.isDirectory(checkout.resolve("engine"))) {
                return new SourceWatch(stamp, t, null, null);
            }
            var watch = checkout.getFileSystem().newWatchService();
            var kinds = new java.nio.file.WatchEvent.Kind<?>[]{java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                    java.nio.file.StandardWatchEventKinds.ENTRY_DELETE, java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY};
            checkout.register(watch, kinds);
            if (Files.isDirectory(checkout.resolve("dist"))) checkout.resolve("dist").register(watch, kinds);
            for (String tree : TREES) {
                Path top = checkout.resolve(tree);
                if (!Files.isDirectory(top)) continue;
                Files.walkFileTree(top, new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a)
                            throws IOException {
                        String n = d.getFileName().toString();
                        if (!d.equals(top) && (n.equals("target") || n.startsWith("."))) {
                            return java.nio.file.FileVisitResult.SKIP_SUBTREE;   // build output and hidden folders
                        }
                        d.register(watch, kinds);
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                });
            }
            return new SourceWatch(stamp, t, watch, checkout);
        }

        /** What changed, or null when nothing did. */
        String changed() {
            if (changed != null) return changed;
            try {
                FileTime now = Files.exists(stamp) ? Files.getLastModifiedTime(stamp) : null;
                if (!Objects.equals(now, stampTime)) return changed = "the distribution was built again";
            } catch (IOException e) {
                return changed = "its build stamp cannot be read: " + e.getMessage();
            }
            if (watch == null) return null;
            java.nio.file.WatchKey key;
            while ((key = watch.poll()) != null) {
                Path dir = (Path) key.watchable();
                for (var e : key.pollEvents()) {
                    if (!(e.context() instanceof Path name)) {   // OVERFLOW: assume the worst
                        return changed = "its sources changed";
                    }
                    String n = name.toString();
                    boolean top = dir.equals(root) || dir.equals(root.resolve("dist"));
                    if (top ? n.equals("pom.xml") : !n.equals("target") && !n.startsWith(".")) {
                        changed = "its sources changed (" + root.relativize(dir.resolve(name)) + ")";
                    }
                }
                key.reset();
                if (changed != null) return changed;
            }
            return null;
        }

        @Override
        public void close() {
            try {
                if (watch != null) watch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
