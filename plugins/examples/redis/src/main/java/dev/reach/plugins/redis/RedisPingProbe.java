package dev.reach.plugins.redis;

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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Sends Redis a RESP {@code PING} (after {@code AUTH} when a password is given) and says whether Redis
 * answered {@code PONG}, answered with an error (NOAUTH, WRONGPASS, DENIED, LOADING...), or whether
 * something that is not Redis listens on the port.
 *
 * <pre>
 * $ reach probe redis.ping host=127.0.0.1 port=6379 password=...
 * ✔ redis.ping  127.0.0.1:6379 is Redis: PING answered PONG in 0.98 ms  122ms
 *     > connect 127.0.0.1:6379 -> connected in 8.09 ms
 *     > AUTH (password hidden) -> +OK
 *     > PING -> +PONG in 0.98 ms
 * $ reach probe redis.ping host=127.0.0.1 port=6379            # the server has --requirepass
 * ✘ redis.ping  127.0.0.1:6379 is Redis but requires a password (NOAUTH): give password=... (and user=... for an ACL user)
 *     > PING -> -NOAUTH Authentication required.
 * $ reach probe redis.ping host=127.0.0.1 port=8000            # python3 -m http.server
 * ✘ redis.ping  127.0.0.1:8000 accepted the connection but is not Redis: it answered PING with "&lt;!DOCTYPE HTML&gt;" (an HTML page: an HTTP server)
 * </pre>
 *
 * <p>The password goes only to the server asked about; the probe never puts it in its summary, facts or evidence.
 */
@Extension
public final class RedisPingProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("redis.ping", "Sends Redis a PING (after AUTH) and says whether it answered PONG")
            .param(Param.host("host", "name or address of the Redis server").required())
            .param(Param.port("port", "TCP port").defaultValue(6379))
            .param(Param.string("password", "password for AUTH; none: PING without AUTH").secret())
            .param(Param.string("user", "ACL user for AUTH (Redis 6+); needs password"))
            .param(Param.duration("timeout", "how long to wait for the connection and for each reply").defaultValue("3s").range("1ms", "5m"))
            .fact("outcome", "string", "pong, auth-required, auth-failed, auth-not-configured, denied, error, not-redis, "
                    + "no-response, closed, refused, timeout, unresolved or unreachable")
            .fact("remote", "string", "the address:port tried")
            .fact("connect_ms", "number", "time to establish the TCP connection")
            .fact("ping_ms", "number", "time from sending PING to the reply")
            .fact("reply", "string", "what the server answered last, as RESP text or its first bytes")
            .fact("error_code", "string", "the first word of a Redis error reply: NOAUTH, WRONGPASS, DENIED, ERR...")
            .example("reach probe redis.ping host=127.0.0.1")
            .example("reach probe redis.ping host=127.0.0.1 port=6380 password=s3cret timeout=1s")
            .about("Example plugin: sends Redis a PING (after AUTH) and says whether it answered PONG (`redis.error`, "
                    + "`redis.not-redis`).")
            .causes("redis.error", "redis.not-redis", "tcp.filtered", "tcp.no-response", "tcp.refused", "tcp.reset")
            .build();

    /** The raw outcome of one attempt: how it ended, at which step ({@code connect}, {@code AUTH}, {@code PING}). */
    sealed interface Outcome {
        record ConnectFailed(IOException error) implements Outcome { }
        /** No byte came back within the wait. */
        record Silent(String step, Duration waited) implements Outcome { }
        /** The peer closed or reset the connection before a whole reply came. */
        record Closed(String step, String how) implements Outcome { }
        record Answered(String step, Resp.Reply reply, Duration took) implements Outcome { }
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String host = params.string("host");
        int port = params.port("port");
        Optional<String> password = params.find("password").map(String::valueOf);
        Optional<String> user = params.find("user").map(String::valueOf);
        if (user.isPresent() && password.isEmpty()) {
            return Observation.error("user=" + user.get() + " needs password=...: AUTH takes both").fact("outcome", "error").build();
        }
        String target = host + ":" + port;
        ctx.progress("connecting to " + target);
        InetSocketAddress remote = new InetSocketAddress(host, port);
        if (remote.isUnresolved()) {
            return Observation.fail(host + " did not resolve; run a DNS check (dns.resolve)").fact("outcome", "unresolved")
                    .evidence("resolve " + host + " -> no address").build();
        }
        target = Addresses.endpoint(remote.getAddress(), port);
        Duration timeout = params.duration("timeout");
        Observation.Builder b = Observation.ok("").fact("remote", target);
        long t0 = System.nanoTime();
        try (Socket socket = new Socket(Proxy.NO_PROXY)) {
            try {
                socket.connect(remote, millis(ctx.bound(timeout)));
            } catch (IOException e) {
                return finish(b, new Outcome.ConnectFailed(e), target, timeout);
            }
            Duration connected = since(t0);
            b.fact("connect_ms", Millis.of(connected)).evidence("connect " + target + " -> connected in " + human(connected));
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            if (password.isPresent()) {
                ctx.progress("AUTH at " + target);
                String[] auth = user.map(u -> new String[] {"AUTH", u, password.get()}).orElse(new String[] {"AUTH", password.get()});
                Outcome o = exchange(ctx, socket, in, out, "AUTH", Resp.command(auth), timeout);
                if (!(o instanceof Outcome.Answered(_, Resp.Reply.Simple(var ok), _) && ok.equals("OK"))) {
                    return finish(b, o, target, timeout);
                }
                b.evidence("AUTH (password hidden) -> +OK");
            }
            ctx.progress("PING at " + target);
            Outcome ping = exchange(ctx, socket, in, out, "PING", Resp.command("PING"), timeout);
            if (ping instanceof Outcome.Answered a) {
                b.fact("ping_ms", Millis.of(a.took()));
            }
            return finish(b, ping, target, timeout);
        } catch (IOException e) {
            return Observation.error("talking to " + target + " failed: " + e.getMessage()).fact("outcome", "error").build();
        }
    }

    /**
     * Maps how the attempt ended to status, cause and words. Pure.
     *
     * @param target  {@code address:port} tried
     * @param timeout the wait that applied to the connection and to each reply
     */
    static Judgement classify(Outcome outcome, String target, Duration timeout) {
        return switch (outcome) {
            case Outcome.ConnectFailed(IOException e) -> connectFailed(e, target, timeout);
            case Outcome.Silent(String step, Duration waited) -> new Judgement(Status.FAIL, "tcp.no-response", "no-response",
                    target + " accepted the connection but did not answer " + step + " within " + ParamType.format(waited)
                            + ": the service hangs, or it is not Redis and waits for the client to speak its protocol",
                    step + " -> no answer within " + ParamType.format(waited));
            case Outcome.Closed(String step, String how) -> new Judgement(Status.FAIL, "tcp.reset", "closed",
                    target + " accepted the connection, then " + how + " before answering " + step
                            + ": a proxy or TCP wrapper closes it, or the port expects TLS",
                    step + " -> " + how);
            case Outcome.Answered(String step, Resp.Reply reply, Duration took) -> answered(step, reply, took, target);
        };
    }

    private static Judgement answered(String step, Resp.Reply reply, Duration took, String target) {
        String said = step + (step.equals("AUTH") ? " (password hidden)" : "") + " -> ";
        return switch (reply) {
            case Resp.Reply.Simple(String text) when step.equals("PING") && text.equalsIgnoreCase("PONG") ->
                    new Judgement(Status.OK, null, "pong", target + " is Redis: PING answered PONG in " + human(took),
                            said + "+" + text + " in " + human(took));
            case Resp.Reply.Array(var items) when step.equals("PING") && !items.isEmpty()
                    && items.getFirst() instanceof Resp.Reply.Bulk(String t) && "pong".equalsIgnoreCase(t) ->
                    new Judgement(Status.OK, null, "pong", target + " is Redis (in subscribe mode): PING answered pong in "
                            + human(took), said + "*[pong] in " + human(took));
            case Resp.Reply.Error e -> redisError(e, step, target, said);
            case Resp.Reply.Foreign(byte[] head) -> new Judgement(Status.FAIL, "redis.not-redis", "not-redis",
                    target + " accepted the connection but is not Redis: it answered " + step + " with " + Resp.show(head)
                            + kind(head), said + Resp.show(head));
            default -> new Judgement(Status.FAIL, "redis.not-redis", "not-redis", target + " answered " + step + " in RESP but not as Redis does ("
                    + text(reply) + "): another RESP server, or a proxy in front of Redis", said + text(reply));
        };
    }

    private static Judgement redisError(Resp.Reply.Error e, String step, String target, String said) {
        String code = e.code();
        String lower = e.text().toLowerCase(Locale.ROOT);
        String evidence = said + "-" + e.text();
        if (code.equals("NOAUTH")) {
            return new Judgement(Status.FAIL, "redis.error", "auth-required", target
                    + " is Redis but requires a password (NOAUTH): give password=... (and user=... for an ACL user)", evidence);
        }
        if (code.equals("WRONGPASS") || lower.contains("invalid password") || lower.contains("invalid username-password")) {
            return new Judgement(Status.FAIL, "redis.error", "auth-failed", target + " is Redis but rejected the credentials ("
                    + e.text() + "): check password= and user= against the server's requirepass or ACL", evidence);
        }
        if (step.equals("AUTH") && (lower.contains("without any password configured") || lower.contains("no password is set"))) {
            return new Judgement(Status.FAIL, "redis.error", "auth-not-configured", target
                    + " is Redis with no password set, so AUTH fails (" + e.text() + "): drop password=, or configure one on the server",
                    evidence);
        }
        if (code.equals("DENIED")) {
            return new Judgement(Status.FAIL, "redis.error", "denied", target + " is Redis in protected mode and refuses "
                    + "clients from other hosts: bind it to an interface with a password set, or turn protected-mode off", evidence);
        }
        return new Judgement(Status.FAIL, "redis.error", "error", target + " is Redis but answered " + step
                + " with an error: " + e.text(), evidence);
    }

    private static Judgement connectFailed(IOException e, String target, Duration timeout) {
        String said = Failures.text(e);
        String lower = said.toLowerCase(Locale.ROOT);
        String connect = "connect " + target + " -> ";
        if (e instanceof SocketTimeoutException) {
            return new Judgement(Status.FAIL, "tcp.filtered", "timeout", target + " gave no answer within "
                    + ParamType.format(timeout) + ": a firewall drops it, or the host is down", connect + "no answer (SYN unanswered)");
        }
        if (lower.contains("connection refused")) {
            return new Judgement(Status.FAIL, "tcp.refused", "refused", target
                    + " refused the connection: Redis is not running or listens on another port or address", connect + said + " (RST)");
        }
        if (e instanceof UnknownHostException) {
            return new Judgement(Status.FAIL, null, "unresolved", target + " did not resolve; run a DNS check", connect + said);
        }
        return new Judgement(Status.FAIL, null, "unreachable", target + " could not be reached (" + said
                + "); run tcp.connect for the reason", connect + said);
    }

    private static Outcome exchange(ProbeContext ctx, Socket socket, InputStream in, OutputStream out, String step,
                                    byte[] command, Duration timeout) throws IOException {
        Duration wait = ctx.bound(timeout);
        socket.setSoTimeout(millis(wait));
        long t = System.nanoTime();
        try {
            out.write(command);
            out.flush();
            Resp.Reply reply = Resp.read(in);
            return new Outcome.Answered(step, reply, since(t));
        } catch (SocketTimeoutException e) {
            return new Outcome.Silent(step, wait);
        } catch (Resp.Closed e) {
            return new Outcome.Closed(step, "closed the connection");
        } catch (java.net.SocketException e) {
            return new Outcome.Closed(step, "reset the connection (" + e.getMessage() + ")");
        }
    }

    /** The judgement on the builder, with the last reply as facts. */
    private static Observation finish(Observation.Builder b, Outcome o, String target, Duration timeout) {
        Judgement c = classify(o, target, timeout);
        b.status(c.status()).summary(c.summary()).cause(c.cause()).fact("outcome", c.outcome());
        c.evidence().forEach(b::evidence);
        if (o instanceof Outcome.Answered(_, Resp.Reply reply, _)) {
            b.fact("reply", text(reply));
            if (reply instanceof Resp.Reply.Error e) {
                b.fact("error_code", e.code());
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
        if (text.startsWith("220")) return " (an SMTP or FTP greeting)";
        return "";
    }

    private static String text(Resp.Reply r) {
        return switch (r) {
            case Resp.Reply.Simple(String t) -> "+" + t;
            case Resp.Reply.Error(String t) -> "-" + t;
            case Resp.Reply.Number(long v) -> ":" + v;
            case Resp.Reply.Bulk(String t) -> t == null ? "$-1 (null)" : "$\"" + t + "\"";
            case Resp.Reply.Array(var items) -> "*" + items.size() + " items";
            case Resp.Reply.Foreign(byte[] head) -> Resp.show(head);
        };
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
