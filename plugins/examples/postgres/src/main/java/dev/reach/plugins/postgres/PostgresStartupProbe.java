package dev.reach.plugins.postgres;

import dev.reach.spi.Addresses;
import dev.reach.spi.Failures;
import dev.reach.spi.Judgement;
import dev.reach.spi.Millis;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sends PostgreSQL a StartupMessage (protocol 3.0) and reads its answer up to the authentication request:
 * PostgreSQL asking for a password (or letting the user in), an ErrorResponse decoded into severity,
 * SQLSTATE and message (pg_hba.conf rejects, too many connections, starting up...), or bytes that show
 * something else listens. It never sends a password: it stops where a client would authenticate.
 *
 * <pre>
 * $ reach probe postgres.startup host=127.0.0.1 port=5432
 * ✔ postgres.startup  127.0.0.1:5432 is PostgreSQL: it asks postgres for SASL (SCRAM-SHA-256) authentication
 *     > StartupMessage user=postgres database=postgres -> Authentication SASL (SCRAM-SHA-256) in 1.20 ms
 * $ reach probe postgres.startup host=127.0.0.1 port=5432 user=nobody
 * ✘ postgres.startup  127.0.0.1:5432 is PostgreSQL but rejects this client (FATAL 28000): pg_hba.conf rejects
 *   connection for host "127.0.0.1", user "nobody", database "nobody", no encryption; add a pg_hba.conf line ...
 * </pre>
 */
@Extension
public final class PostgresStartupProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("postgres.startup",
                    "Sends PostgreSQL a startup message and decodes its answer up to authentication")
            .param(Param.host("host", "name or address of the PostgreSQL server").required())
            .param(Param.port("port", "TCP port").defaultValue(5432))
            .param(Param.string("user", "the user to start a session as").defaultValue("postgres"))
            .param(Param.string("database", "the database to connect to; none: the user's name"))
            .param(Param.duration("timeout", "how long to wait for the connection and for the answer").defaultValue("3s").range("1ms", "5m"))
            .fact("outcome", "string", "auth-requested, logged-in, rejected, no-database, too-many, not-ready, error, not-postgres, "
                    + "no-response, closed, refused, timeout, unresolved or unreachable")
            .fact("remote", "string", "the address:port tried")
            .fact("connect_ms", "number", "time to establish the TCP connection")
            .fact("answer_ms", "number", "time from the startup message to the server's first answer")
            .fact("auth", "string", "the authentication the server asks for: SASL (SCRAM-SHA-256), an MD5 password, none (trust)...")
            .fact("server_version", "string", "the server's version, when it let the user in without a password")
            .fact("severity", "string", "ErrorResponse severity: FATAL, ERROR, PANIC")
            .fact("sqlstate", "string", "ErrorResponse SQLSTATE code, e.g. 28000, 3D000, 53300, 57P03")
            .fact("message", "string", "ErrorResponse message, as the server wrote it")
            .fact("detail", "string", "ErrorResponse detail, when given")
            .fact("hint", "string", "ErrorResponse hint, when given")
            .example("reach probe postgres.startup host=127.0.0.1")
            .example("reach probe postgres.startup host=127.0.0.1 port=5433 user=app database=orders timeout=1s")
            .about("Example plugin: sends PostgreSQL a startup message and decodes its answer up to authentication "
                    + "(`postgres.error`, `postgres.not-postgres`).")
            .causes("postgres.error", "postgres.not-postgres", "tcp.filtered", "tcp.no-response", "tcp.refused", "tcp.reset")
            .build();

    /** The raw outcome of one attempt. */
    sealed interface Outcome {
        record ConnectFailed(IOException error) implements Outcome { }
        /** No byte came back within the wait. */
        record Silent(Duration waited) implements Outcome { }
        /** The peer closed or reset the connection before a whole answer came. */
        record Closed(String how) implements Outcome { }
        /** The message that settles it (Auth, an error Notice, Foreign, or Ready after a trust login). */
        record Answered(PgWire.Message message, Duration took, String serverVersion) implements Outcome { }
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String host = params.string("host");
        int port = params.port("port");
        String user = params.string("user");
        String database = params.find("database").map(String::valueOf).orElse(user);
        InetSocketAddress remote = new InetSocketAddress(host, port);
        if (remote.isUnresolved()) {
            return Observation.fail(host + " did not resolve; run a DNS check (dns.resolve)").fact("outcome", "unresolved")
                    .evidence("resolve " + host + " -> no address").build();
        }
        String target = Addresses.endpoint(remote.getAddress(), port);
        String who = "user=" + user + " database=" + database;
        Duration timeout = params.duration("timeout");
        Observation.Builder b = Observation.ok("").fact("remote", target);
        ctx.progress("connecting to " + target);
        long t0 = System.nanoTime();
        try (Socket socket = new Socket(Proxy.NO_PROXY)) {
            try {
                socket.connect(remote, millis(ctx.bound(timeout)));
            } catch (IOException e) {
                return finish(b, new Outcome.ConnectFailed(e), target, who, timeout);
            }
            Duration connected = since(t0);
            b.fact("connect_ms", Millis.of(connected)).evidence("connect " + target + " -> connected in " + human(connected));
            ctx.progress("startup as " + who);
            Duration wait = ctx.bound(timeout);
            socket.setSoTimeout(millis(wait));
            Map<String, String> startup = new LinkedHashMap<>();
            startup.put("user", user);
            startup.put("database", database);
            startup.put("application_name", "reach");
            long t1 = System.nanoTime();
            socket.getOutputStream().write(PgWire.startup(startup));
            socket.getOutputStream().flush();
            Outcome o = answer(socket.getInputStream(), wait, t1);
            if (o instanceof Outcome.Answered a) {
                b.fact("answer_ms", Millis.of(a.took()));
                if (a.message() instanceof PgWire.Message.Ready) {
                    socket.getOutputStream().write(PgWire.terminate());
                }
            }
            return finish(b, o, target, who, timeout);
        } catch (IOException e) {
            return Observation.error("talking to " + target + " failed: " + e.getMessage()).fact("outcome", "error").build();
        }
    }

    /** Reads messages until one settles the question; a trust login is read through to ReadyForQuery. */
    private static Outcome answer(InputStream in, Duration wait, long sentNanos) throws IOException {
        Duration firstAnswer = null;
        String version = null;
        boolean first = true;
        try {
            for (int i = 0; i < 64; i++) {
                PgWire.Message m = PgWire.read(in, first);
                first = false;
                firstAnswer = firstAnswer == null ? since(sentNanos) : firstAnswer;
                switch (m) {
                    case PgWire.Message.Auth a when a.code() == 0 -> { } // trust: read on to ReadyForQuery
                    case PgWire.Message.ParameterStatus(String name, String value) when name.equals("server_version") -> version = value;
                    case PgWire.Message.ParameterStatus _, PgWire.Message.Other _ -> { }
                    case PgWire.Message.Notice n when !n.error() -> { }
                    default -> {
                        return new Outcome.Answered(m, firstAnswer, version);
                    }
                }
            }
            return new Outcome.Closed("sent more than 64 messages without finishing the startup");
        } catch (SocketTimeoutException e) {
            return new Outcome.Silent(wait);
        } catch (EOFException e) {
            return new Outcome.Closed("closed the connection");
        } catch (SocketException e) {
            return new Outcome.Closed("reset the connection (" + e.getMessage() + ")");
        }
    }

    /**
     * Maps how the startup ended to status, cause and words. Pure.
     *
     * @param target {@code address:port} tried
     * @param who    {@code user=... database=...} as sent
     */
    static Judgement classify(Outcome outcome, String target, String who, Duration timeout) {
        String sent = "StartupMessage " + who + " -> ";
        return switch (outcome) {
            case Outcome.ConnectFailed(IOException e) -> connectFailed(e, target, timeout);
            case Outcome.Silent(Duration waited) -> new Judgement(Status.FAIL, "tcp.no-response", "no-response",
                    target + " accepted the connection but did not answer the startup message within " + ParamType.format(waited)
                            + ": the server hangs, or it is not PostgreSQL and waits for the client to speak its protocol",
                    sent + "no answer within " + ParamType.format(waited));
            case Outcome.Closed(String how) -> new Judgement(Status.FAIL, "tcp.reset", "closed", target
                    + " accepted the connection, then " + how + " before answering the startup message: a proxy or TCP wrapper "
                    + "closes it, or it is not PostgreSQL", sent + how);
            case Outcome.Answered(PgWire.Message m, Duration took, String version) -> answered(m, took, version, target, who, sent);
        };
    }

    private static Judgement answered(PgWire.Message m, Duration took, String version, String target, String who, String sent) {
        return switch (m) {
            case PgWire.Message.Auth a -> new Judgement(Status.OK, null, "auth-requested", target + " is PostgreSQL: it asks "
                    + who.substring("user=".length(), who.indexOf(' ')) + " for " + a.method() + " authentication",
                    sent + "Authentication " + a.method() + " in " + human(took));
            case PgWire.Message.Ready _ -> new Judgement(Status.OK, null, "logged-in", target + " is PostgreSQL"
                    + (version == null ? "" : " " + version) + ": it let " + who + " in without a password (trust)",
                    sent + "AuthenticationOk, ReadyForQuery" + (version == null ? "" : " (server_version " + version + ")"));
            case PgWire.Message.Notice n -> rejected(n, target, sent);
            case PgWire.Message.Foreign(byte[] head) -> new Judgement(Status.FAIL, "postgres.not-postgres", "not-postgres",
                    target + " accepted the connection but is not PostgreSQL: it answered the startup message with "
                            + PgWire.show(head) + kind(head), sent + PgWire.show(head));
            default -> new Judgement(Status.FAIL, "postgres.not-postgres", "not-postgres", target
                    + " answered the startup message with an unexpected message: " + m, sent + m);
        };
    }

    private static Judgement rejected(PgWire.Message.Notice n, String target, String sent) {
        String code = n.code();
        String said = n.severity() + (code.isEmpty() ? "" : " " + code);
        String[] why = switch (code) {
            case "28000", "28P01" -> new String[] {"rejected", "rejects this client", "add a pg_hba.conf line for this client, "
                    + "user and database (then SELECT pg_reload_conf()), or connect as an allowed user"};
            case "3D000" -> new String[] {"no-database", "has no such database", "create it, or give database= an existing one"};
            case "53300" -> new String[] {"too-many", "has no connection slot left", "raise max_connections or use a pooler; "
                    + "look for idle sessions in pg_stat_activity"};
            case "57P03" -> new String[] {"not-ready", "is not accepting connections yet", "it is starting up, shutting down or "
                    + "in recovery: wait, then check its log"};
            default -> new String[] {"error", "answered with an error", "read the message; the server's log has more"};
        };
        String text = n.message() + (n.fields().containsKey('D') ? " (" + n.fields().get('D') + ")" : "");
        return new Judgement(Status.FAIL, "postgres.error", why[0], target + " is PostgreSQL but " + why[1] + " (" + said
                + "): " + text + "; " + why[2], sent + "ErrorResponse " + said + ": " + text);
    }

    private static Judgement connectFailed(IOException e, String target, Duration timeout) {
        String said = Failures.text(e);
        String connect = "connect " + target + " -> ";
        if (e instanceof SocketTimeoutException) {
            return new Judgement(Status.FAIL, "tcp.filtered", "timeout", target + " gave no answer within "
                    + ParamType.format(timeout) + ": a firewall drops it, or the host is down", connect + "no answer (SYN unanswered)");
        }
        if (said.toLowerCase(Locale.ROOT).contains("connection refused")) {
            return new Judgement(Status.FAIL, "tcp.refused", "refused", target + " refused the connection: PostgreSQL is not "
                    + "running, or listens on another port or address (listen_addresses)", connect + said + " (RST)");
        }
        return new Judgement(Status.FAIL, null, "unreachable", target + " could not be reached (" + said
                + "); run tcp.connect for the reason", connect + said);
    }

    /** The judgement on the builder, with the decoded answer as facts. */
    private static Observation finish(Observation.Builder b, Outcome o, String target, String who, Duration timeout) {
        Judgement c = classify(o, target, who, timeout);
        b.status(c.status()).summary(c.summary()).cause(c.cause()).fact("outcome", c.outcome());
        c.evidence().forEach(b::evidence);
        if (o instanceof Outcome.Answered(PgWire.Message m, var _, String version)) {
            switch (m) {
                case PgWire.Message.Auth a -> b.fact("auth", a.method());
                case PgWire.Message.Ready _ -> b.fact("auth", "none (trust)").fact("server_version", version);
                case PgWire.Message.Notice n -> b.fact("severity", n.severity()).fact("sqlstate", n.code())
                        .fact("message", n.message()).fact("detail", n.fields().get('D')).fact("hint", n.fields().get('H'));
                default -> { }
            }
        }
        return b.build();
    }

    private static String kind(byte[] head) {
        String text = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (head.length > 0 && (head[0] == 0x15 || head[0] == 0x16)) return " (a TLS record: this port expects TLS)";
        if (text.startsWith("HTTP/")) return " (an HTTP server)";
        if (text.regionMatches(true, 0, "<!DOCTYPE HTML", 0, 14) || text.regionMatches(true, 0, "<html", 0, 5)) {
            return " (an HTML page: an HTTP server)";
        }
        if (text.startsWith("SSH-")) return " (an SSH server)";
        if (text.startsWith("-ERR") || text.startsWith("+")) return " (a Redis-like RESP server)";
        return "";
    }

    private static int millis(Duration d) {
        return (int) Math.clamp(d.toMillis(), 1, Integer.MAX_VALUE);
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }


    private static String human(Duration d) {
        double ms = d.toNanos() / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.2f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
