package dev.reach.plugins.net;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcp.hello against real services in a namespace lab (client 198.18.0.1 — router — server 198.18.1.2): an MTU step
 * on the router whose frag-needed is dropped, in one direction then the other; a frozen (SIGSTOPped) HTTP server; an
 * iptables rule on the server that resets connections at their first data segment; TLS on a port nobody calls TLS.
 */
class TcpHelloProbeIT {
    private static final String SERVER = "198.18.1.2";
    private static final String[] DROP_FRAG_NEEDED = {"iptables", "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP"};
    /** HTTP on 8080 whose GET answers 3000 bytes: a full-size answer, for the way back. */
    private static final String HTTP = """
            import sys, http.server
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = 'HTTP/1.0'
                def do_HEAD(self):
                    self.send_response(200); self.send_header('Content-Length', '3000'); self.end_headers()
                def do_GET(self):
                    self.do_HEAD(); self.wfile.write(b'x' * 3000)
                def log_message(self, *a):
                    pass
            s = http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H); print('ready', flush=True); s.serve_forever()
            """;

    /** A line service on ADDRESS PORT that answers anything with one 3000-byte line. */
    private static final String BIG_ANSWER = """
            import socket, sys, threading
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(16); print('ready', flush=True)
            def serve(c):
                with c:
                    if c.recv(4096): c.sendall(b'OK ' + b'x' * 3000 + b'\\n')
            while True:
                c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    private static Netns lab;
    private static String client;
    private static String router;
    private static String server;
    private static Path dir;

    @BeforeAll
    static void build() throws Exception {
        Root.assumeRootWith("ip", "iptables", "python3", "openssl");
        lab = Netns.create();
        client = lab.namespace("cli");
        router = lab.namespace("rtr");
        server = lab.namespace("srv");
        lab.link(client, "198.18.0.1/24", router, "198.18.0.254/24");
        lab.link(router, "198.18.1.254/24", server, SERVER + "/24");
        lab.route(client, "198.18.1.0/24", "198.18.0.254");
        lab.route(server, "198.18.0.0/24", "198.18.1.254");
        lab.exec(router, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
        dir = Files.createTempDirectory("reach-hello-");
        lab.exec(client, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve("k.pem").toString(), "-out", dir.resolve("c.pem").toString(), "-days", "1", "-subj", "/CN=odd.lab.test").orThrow();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (lab != null) lab.close();
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @AfterEach
    void reset() {
        for (String ns : new String[] {router, server}) lab.exec(ns, "iptables", "-F").orThrow();
        lab.exec(router, "ip", "route", "replace", "198.18.1.0/24", "dev", devTo(router, SERVER)).orThrow();
        lab.exec(router, "ip", "route", "replace", "198.18.0.0/24", "dev", devTo(router, "198.18.0.1")).orThrow();
        // a segment left unsent by a test's blackhole is still retried after it, and its frag-needed, no longer dropped,
        // teaches the ends a path MTU of 1280 for ten minutes: forget it
        for (String ns : new String[] {client, server}) lab.exec(ns, "ip", "route", "flush", "cache").orThrow();
    }

    @Test
    void healthyHttpServiceAnswersAndAFullSegmentPasses() {
        try (var web = http(8080)) {
            var r = hello("port=8080");
            assertThat(r.status()).as(r.toString()).isEqualTo("ok");
            assertThat(r.facts()).containsEntry("protocol", "http").containsEntry("full_size", "passed");
        }
    }

    /** A 1280-byte step toward the server, its frag-needed dropped: the HEAD passes, the full-size segment vanishes. */
    @Test
    void stepOnTheWayThereIsMtuBlackhole() {
        try (var web = http(8080)) {
            mtuStep("198.18.1.0/24", SERVER);
            var r = hello("port=8080");
            assertThat(r.cause()).as(r.toString()).isEqualTo("mtu.blackhole");
            assertThat(r.facts()).containsEntry("full_size", "vanished");
        }
    }

    /** The same step toward the client: the request passes, the service's 3000-byte answer vanishes unless the MSS is clamped. */
    @Test
    void stepOnTheWayBackIsMtuBlackhole() {
        try (var big = lab.spawn(server, "python3", "-c", BIG_ANSWER, SERVER, "7000")) {
            if (!big.awaitOutput("ready", Duration.ofSeconds(10))) throw new IllegalStateException(big.output());
            var before = hello("port=7000", "protocol=plain");
            assertThat(before.status()).as(before.toString()).isEqualTo("ok");
            mtuStep("198.18.0.0/24", "198.18.0.1");
            var r = hello("port=7000", "protocol=plain");
            assertThat(r.cause()).as(r.toString()).isEqualTo("mtu.blackhole");
            assertThat(r.summary()).contains("vanishes on the way back");
        }
    }

    @Test
    void frozenServiceIsNoResponse() {
        try (var web = http(8080)) {
            lab.exec(server, "kill", "-STOP", Long.toString(web.pid())).orThrow();
            try {
                var r = hello("port=8080", "timeout=1s");
                assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.no-response");
                assertThat(r.facts()).containsEntry("acked", "true");
            } finally {
                lab.exec(server, "kill", "-CONT", Long.toString(web.pid()));
            }
        }
    }

    @Test
    void ruleThatResetsTheFirstDataSegmentIsTcpReset() {
        try (var web = http(8080)) {
            lab.exec(server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "--tcp-flags", "PSH", "PSH",
                    "-j", "REJECT", "--reject-with", "tcp-reset").orThrow();
            var r = hello("port=8080");
            assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.reset");
        }
    }

    @Test
    void tlsOnAPortNobodyCallsTlsIsSeen() {
        try (var tls = lab.spawn(server, "openssl", "s_server", "-accept", SERVER + ":18443", "-cert", dir.resolve("c.pem").toString(),
                "-key", dir.resolve("k.pem").toString(), "-quiet", "-www")) {
            awaitListening(18443);
            var r = hello("port=18443", "name=odd.lab.test");
            assertThat(r.status()).as(r.toString()).isEqualTo("ok");
            assertThat(r.facts()).containsEntry("protocol", "tls").containsEntry("greeting", "auto").containsEntry("answer", "a TLS ServerHello");
        }
    }

    /** The router's route onward gets MTU 1280 (a smaller link beyond it), and its frag-needed never leaves it. */
    private static void mtuStep(String prefix, String toward) {
        lab.exec(router, "ip", "route", "replace", prefix, "dev", devTo(router, toward), "mtu", "lock", "1280").orThrow();
        lab.exec(router, DROP_FRAG_NEEDED).orThrow();
    }

    private static String devTo(String ns, String address) {
        String out = lab.exec(ns, "ip", "-o", "route", "get", address).orThrow().out();
        return out.replaceAll("(?s).* dev (\\S+).*", "$1").strip();
    }

    private static Netns.Spawned http(int port) {
        Netns.Spawned s = lab.spawn(server, "python3", "-c", HTTP, SERVER, Integer.toString(port));
        if (!s.awaitOutput("ready", Duration.ofSeconds(10))) {
            s.close();
            throw new IllegalStateException("the lab's HTTP server did not start: " + s.output());
        }
        return s;
    }

    private static void awaitListening(int port) {
        for (int i = 0; i < 50; i++) { // at most 5 s
            if (lab.exec(server, "ss", "-Hltn", "sport = :" + port).out().contains(":" + port)) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("nothing listens on " + port);
    }

    private static RunProbeMain.Line hello(String... kv) {
        String[] all = new String[kv.length + 1];
        all[0] = "host=" + SERVER;
        System.arraycopy(kv, 0, all, 1, kv.length);
        RunProbeMain.Line r = RunProbeMain.runIn(lab, client, TcpHelloProbe.class, all);
        System.out.println("hello " + String.join(" ", kv) + ": " + r.status() + " " + r.cause() + ": " + r.summary()
                + "\n    " + String.join("\n    ", r.evidence()));
        return r;
    }
}
