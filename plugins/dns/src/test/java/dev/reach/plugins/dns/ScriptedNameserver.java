package dev.reach.plugins.dns;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A nameserver that answers each question as the test says, wrong answers included, which dnsmasq will not give:
 * a python3 script (standard library only) on UDP and TCP. Rules are {@code name/TYPE=RCODE[:address,...]} or
 * {@code name/TYPE=DROP} (no reply at all); any other question gets REFUSED.
 *
 * <pre>
 * a6nx.test/A=NOERROR:198.18.0.55   a6nx.test/AAAA=NXDOMAIN   (an A record, and NXDOMAIN for AAAA: a broken server)
 * </pre>
 *
 * Run it on loopback with {@link #start}, or in a namespace lab: {@code lab.spawn(ns, "python3", "-c", SCRIPT, address, "53", rules...)};
 * it prints {@code ready} once both sockets are bound.
 */
final class ScriptedNameserver implements AutoCloseable {
    static final String SCRIPT = """
            import socket, struct, sys, threading
            host, port, rules = sys.argv[1], int(sys.argv[2]), {}
            for rule in sys.argv[3:]:
                key, _, said = rule.partition("=")
                name, _, qtype = key.rpartition("/")
                rcode, _, addrs = said.partition(":")
                rules[(name.lower().rstrip("."), qtype.upper())] = (rcode, [a for a in addrs.split(",") if a])
            CODES = {"NOERROR": 0, "SERVFAIL": 2, "NXDOMAIN": 3, "REFUSED": 5}
            def reply(q):
                i, labels = 12, []
                while q[i]:
                    labels.append(q[i + 1:i + 1 + q[i]].decode()); i += 1 + q[i]
                qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
                rcode, addrs = rules.get((".".join(labels).lower(), {1: "A", 28: "AAAA"}.get(qtype, "?")), ("REFUSED", []))
                if rcode == "DROP":
                    return None
                family, size = (socket.AF_INET6, 16) if qtype == 28 else (socket.AF_INET, 4)
                answers = b"".join(struct.pack(">HHHIH", 0xC00C, qtype, 1, 60, size) + socket.inet_pton(family, a) for a in addrs)
                flags = 0x8480 | (struct.unpack(">H", q[2:4])[0] & 0x0100) | CODES[rcode]
                return q[:2] + struct.pack(">HHHHH", flags, 1, len(addrs), 0, 0) + q[12:i + 5] + answers
            def udp(s):
                while True:
                    q, peer = s.recvfrom(512)
                    r = reply(q)
                    if r: s.sendto(r, peer)
            def client(c):
                with c:
                    while True:
                        n = c.recv(2)
                        if len(n) < 2: return
                        size, q = struct.unpack(">H", n)[0], b""
                        while len(q) < size:
                            chunk = c.recv(size - len(q))
                            if not chunk: return
                            q += chunk
                        r = reply(q)
                        if r: c.sendall(struct.pack(">H", len(r)) + r)
            def tcp(s):
                while True:
                    threading.Thread(target=client, args=(s.accept()[0],), daemon=True).start()
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            u, t = socket.socket(family, socket.SOCK_DGRAM), socket.socket(family, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            u.bind((host, port)); t.bind((host, port)); t.listen(16)
            threading.Thread(target=udp, args=(u,), daemon=True).start()
            threading.Thread(target=tcp, args=(t,), daemon=True).start()
            print("ready", flush=True)
            threading.Event().wait()
            """;

    private final Process process;
    private final int port;

    private ScriptedNameserver(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts it on 127.0.0.1 and a free port, and waits (at most 10 s) until it is ready; skips the test without python3. */
    static ScriptedNameserver start(Path dir, String... rules) throws IOException, InterruptedException {
        int port = Dnsmasq.freePort();
        Path log = Files.createTempFile(dir, "scripted-ns-", ".log");
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", SCRIPT, "127.0.0.1", String.valueOf(port)));
        cmd.addAll(List.of(rules));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            Assumptions.abort("skipped: needs python3 (" + e.getMessage() + ")");
            throw e;
        }
        ScriptedNameserver ns = new ScriptedNameserver(p, port);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(log).contains("ready")) {
            if (!p.isAlive() || System.nanoTime() > until) {
                ns.close();
                throw new IllegalStateException("the scripted nameserver did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return ns;
    }

    /** {@code 127.0.0.1:PORT}, as the probes take it. */
    String server() {
        return "127.0.0.1:" + port;
    }

    /** Stops it by its PID. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
