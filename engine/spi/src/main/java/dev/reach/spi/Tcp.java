package dev.reach.spi;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * TCP for probe plugins: a connect that comes back as a value saying how it went, each failure with the judgement
 * reach's own {@code tcp.connect} gives it, and a connection whose reads share one time budget with the connect.
 *
 * <pre>{@code
 * try (Tcp.Outcome o = Tcp.connect(ctx, host, port, timeout)) {
 *     if (!(o instanceof Tcp.Connected c)) {
 *         return o.observation().build();                    // refused, filtered, unreachable: cause, evidence, facts
 *     }
 *     c.send("EHLO reach\r\n");
 *     return switch (c.readLine()) {
 *         case Tcp.Line(String text, Duration took) when text.startsWith("250") -> Observation.ok(text).build();
 *         case Tcp.Line(String text, Duration took) -> Observation.fail("answered " + text).cause("smtp.refused").build();
 *         case Tcp.Failure f -> f.judgement(c.target()).observation().build();    // silent, closed, reset
 *     };
 * }
 * }</pre>
 *
 * <p>The budget: {@code timeout} (bounded by the run's deadline) starts when {@link #connect} is called; every read
 * waits only for what is left of it, so a connect and any number of reads never take longer than {@code timeout}.
 * An unreachable connect also names the ICMP error behind it and who sent it, as {@code tcp.connect} does, when
 * reach's network plugin is loaded (it reads the kernel's error queue); without it the kernel's errno decides.
 */
public final class Tcp {
    /** The kernel's errno for "no route to host", which an ICMP host-unreachable and a failed ARP/ND both give. */
    public static final int EHOSTUNREACH = 113;
    /** The longest line {@link Connected#readLine()} reads before it returns what it has. */
    public static final int MAX_LINE = 8192;

    /** Causes whose errno hides which ICMP the kernel heard, and from whom. */
    private static final Set<String> REFINED = Set.of("host.unreachable", "route.none", "admin.prohibited");

    private static volatile IcmpReader icmpReader;

    private Tcp() {
    }

    /**
     * Resolves {@code host} (the first address it has), connects to {@code port} and says how it went. Never throws
     * for a network outcome; waits at most {@code timeout} or what is left of the run, whichever is shorter.
     */
    public static Outcome connect(ProbeContext ctx, String host, int port, Duration timeout) {
        Objects.requireNonNull(ctx, "ctx");
        long t0 = System.nanoTime();
        Duration budget = ctx.bound(timeout);
        long until = t0 + budget.toNanos();
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return new Failed(host + ":" + port, since(t0), judge(e, host, budget, since(t0)));
        }
        InetSocketAddress remote = new InetSocketAddress(address, port);
        String target = Addresses.endpoint(address, port);
        Socket socket = new Socket(Proxy.NO_PROXY);
        try {
            socket.connect(remote, millisLeft(until));
            return new Connected(socket, target, since(t0), until, budget);
        } catch (IOException e) {
            close(socket);
            Duration took = since(t0);
            Judgement j = judge(e, target, budget, took);
            if ("tcp.refused".equals(j.cause())) {
                return new Refused(target, took, j);
            }
            if ("tcp.filtered".equals(j.cause())) {
                return new Filtered(target, took, j);
            }
            if (REFINED.contains(String.valueOf(j.cause()))) {
                IcmpReader reader = icmpReader;
                Icmp heard = reader == null || ctx.cancelled() ? null
                        : reader.read(remote, Duration.ofNanos(Math.max(0, until - System.nanoTime()))).orElse(null);
                return new Unreachable(target, took, heard, refine(j, heard, target));
            }
            return new Failed(target, took, j);
        }
    }

    /** How a connect went; each kind carries its judgement, and {@link #observation()} starts the probe's result. */
    public sealed interface Outcome extends AutoCloseable permits Connected, Refused, Filtered, Unreachable, Failed {
        /** {@code 127.0.0.1:25}, {@code [::1]:25}, or {@code name:25} when the name did not resolve. */
        String target();

        /** From the call to the outcome (resolving included). */
        Duration took();

        /** What reach's {@code tcp.connect} makes of this outcome: OK when connected, else a failure with its cause. */
        Judgement judgement();

        /** The judgement as an observation, with the {@code connect_ms} fact; add your own facts and build it. */
        default Observation.Builder observation() {
            return judgement().observation().fact("connect_ms", Millis.of(took()));
        }

        /** Closes the connection, if there is one. */
        @Override
        default void close() {
        }
    }

    /** A reset answered the SYN: nothing listens there, or a firewall rejects with a TCP reset. */
    public record Refused(String target, Duration took, Judgement judgement) implements Outcome {
    }

    /** No answer within the budget (or the kernel gave up resending the SYN): a firewall drops it, or the host is down. */
    public record Filtered(String target, Duration took, Judgement judgement) implements Outcome {
    }

    /**
     * The kernel or a router said the host or network cannot be reached, or a firewall prohibits it.
     *
     * @param icmp the ICMP (or local) error behind it; null when none was read
     */
    public record Unreachable(String target, Duration took, Icmp icmp, Judgement judgement) implements Outcome {
        @Override
        public Observation.Builder observation() {
            Observation.Builder b = Outcome.super.observation();
            if (icmp != null) {
                b.evidence("IP_RECVERR on a second connect -> " + icmp.text()).fact("icmp", icmp.text())
                        .fact("icmp_from", icmp.from() == null ? null : Addresses.text(icmp.from()));
            }
            return b;
        }
    }

    /** The name did not resolve, a local policy forbade the connect, no time was left, or another error. */
    public record Failed(String target, Duration took, Judgement judgement) implements Outcome {
    }

    /**
     * An ICMP (or local) error the kernel queued for a failed connect.
     *
     * @param kind  net-unreachable, host-unreachable, admin-prohibited, port-unreachable, local, ...
     * @param text  for people: {@code ICMP 3/13 admin-prohibited from 198.18.1.1}
     * @param from  who sent it; null when the kernel did not say
     * @param self  this host sent it to itself (its own ARP/ND failed, or its own policy)
     * @param errno the errno the kernel reported with it (0 for an ICMP message)
     */
    public record Icmp(String kind, String text, InetAddress from, boolean self, int errno) {
    }

    /** Reads the ICMP error behind an unreachable connect within a wait. Provided by reach's network plugin. */
    @FunctionalInterface
    public interface IcmpReader {
        Optional<Icmp> read(InetSocketAddress to, Duration wait);
    }

    /** Installs the reader {@link #connect} asks on an unreachable outcome: reach's network plugin does, as it loads. */
    public static void icmpReader(IcmpReader reader) {
        icmpReader = reader;
    }

    /** A connection, and the rest of the budget {@link #connect} started with. Close it (try-with-resources). */
    public static final class Connected implements Outcome {
        private final Socket socket;
        private final String target;
        private final Duration took;
        private final long until;
        private final Duration budget;
        private InputStream in;

        private Connected(Socket socket, String target, Duration took, long untilNanos, Duration budget) {
            this.socket = socket;
            this.target = target;
            this.took = took;
            this.until = untilNanos;
            this.budget = budget;
        }

        @Override
        public String target() {
            return target;
        }

        @Override
        public Duration took() {
            return took;
        }

        @Override
        public Judgement judgement() {
            return new Judgement(Status.OK, null, "ok", target + " accepted the connection in " + Millis.human(took),
                    "connect " + target + " -> connected in " + Millis.human(took) + " (SYN-ACK)");
        }

        /** The socket, for what this class does not do (TLS on top, binary protocols); reads should honour {@link #remaining()}. */
        public Socket socket() {
            return socket;
        }

        /** What is left of the budget; zero once it is spent. */
        public Duration remaining() {
            return Duration.ofNanos(Math.max(0, until - System.nanoTime()));
        }

        /** Sends the text as UTF-8. False when the peer has closed or reset the connection (the next read says which). */
        public boolean send(String text) {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /**
         * The next line the peer sends, without its line end ({@code \n} or {@code \r\n}), waiting at most for what is
         * left of the budget. A line longer than {@link #MAX_LINE} bytes comes back in pieces of that size.
         */
        public Reply readLine() {
            long t0 = System.nanoTime();
            byte[] line = new byte[MAX_LINE];
            int n = 0;
            try {
                if (in == null) {
                    in = new BufferedInputStream(socket.getInputStream(), 1024);
                }
                while (n < MAX_LINE) {
                    int left = millisLeft(until);
                    if (System.nanoTime() >= until) {
                        return new Silent(budget, n == 0 ? "" : text(line, n));
                    }
                    socket.setSoTimeout(left);
                    int b = in.read();
                    if (b < 0) {
                        return n == 0 ? new Closed(since(t0)) : new Line(text(line, n), since(t0));
                    }
                    if (b == '\n') {
                        break;
                    }
                    line[n++] = (byte) b;
                }
                return new Line(text(line, n), since(t0));
            } catch (SocketTimeoutException e) {
                return new Silent(budget, n == 0 ? "" : text(line, n));
            } catch (IOException e) {
                return new Reset(since(t0), Failures.text(e));
            }
        }

        @Override
        public void close() {
            Tcp.close(socket);
        }

        private static String text(byte[] line, int n) {
            int end = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
            return new String(line, 0, end, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Connected[" + target + " in " + Millis.human(took) + "]";
        }
    }

    /** What a read gave: a line, or a {@link Failure}. */
    public sealed interface Reply permits Line, Failure {
    }

    /** A line, without its line end; {@code took} is the wait for it. */
    public record Line(String text, Duration took) implements Reply {
    }

    /** No line: the peer stayed silent, closed, or reset; each with the judgement reach gives it. */
    public sealed interface Failure extends Reply permits Silent, Closed, Reset {
        Judgement judgement(String target);
    }

    /**
     * Nothing (or no line end) came before the budget ran out.
     *
     * @param budget  the whole budget of the connection (connect and reads), now spent
     * @param partial what came without a line end; empty when nothing did
     */
    public record Silent(Duration budget, String partial) implements Failure {
        @Override
        public Judgement judgement(String target) {
            String within = " within " + ParamType.format(budget);
            return new Judgement(Status.FAIL, "tcp.no-response", "silent", target + " accepted the connection but sent "
                    + (partial.isEmpty() ? "nothing" : "no complete line") + within + ": the service is hung or overloaded",
                    "read " + target + " -> " + (partial.isEmpty() ? "nothing" : "\"" + partial + "\" and no line end") + within);
        }
    }

    /** The peer closed the connection (FIN) before it sent a line. */
    public record Closed(Duration took) implements Failure {
        @Override
        public Judgement judgement(String target) {
            return new Judgement(Status.FAIL, "tcp.reset", "closed", target + " closed the connection without a word: the "
                    + "service, a proxy or TCP wrappers turned the client away", "read " + target + " -> end of stream (FIN) after "
                    + Millis.human(took));
        }
    }

    /** The connection broke while reading: a reset, most often. */
    public record Reset(Duration took, String error) implements Failure {
        @Override
        public Judgement judgement(String target) {
            return new Judgement(Status.FAIL, "tcp.reset", "reset", target + " reset the connection: the service or a "
                    + "middlebox tore it down", "read " + target + " -> " + error);
        }
    }

    /**
     * What reach's {@code tcp.connect} makes of a connect's outcome, from the exception's type and the kernel's errno
     * text. Pure.
     *
     * @param error   null when the connection was accepted
     * @param target  {@code address:port} tried, or the host name when it did not resolve
     * @param timeout the connect timeout that applied
     * @param elapsed how long the attempt took
     */
    public static Judgement judge(Throwable error, String target, Duration timeout, Duration elapsed) {
        return TcpWords.judge(error, target, timeout, elapsed);
    }

    /**
     * Sharpens an unreachable judgement with the ICMP error the kernel queued. Pure. A router's or firewall's ICMP
     * names its sender and its kind (admin.prohibited, net.unreachable, host.unreachable); an error this host sent
     * itself means its own ARP/ND for the next hop failed; nothing heard leaves the judgement as it was.
     */
    public static Judgement refine(Judgement c, Icmp e, String target) {
        return TcpWords.refine(c, e, target);
    }

    /** The causes {@link #refine} may sharpen. */
    public static boolean refinable(String cause) {
        return cause != null && REFINED.contains(cause);
    }

    /** Milliseconds left until {@code untilNanos}, at least 1 (a socket timeout of 0 would mean forever). */
    private static int millisLeft(long untilNanos) {
        long ms = (untilNanos - System.nanoTime() + 999_999) / 1_000_000;
        return (int) Math.clamp(ms, 1, Integer.MAX_VALUE);
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket that failed to connect
        }
    }
}
