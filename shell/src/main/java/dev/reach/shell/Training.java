package dev.reach.shell;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run the {@code ./reach} launcher records into the JDK's AOT cache: the common path of a start,
 * once, on loopback only — every plugin loaded, the name asked of a nameserver this class answers on 127.0.0.1
 * (over UDP and TCP: dnsjava's messages and the JDK's sockets are a third of a cold DNS step), a two-port
 * {@code tcp.scan} of 127.0.0.1 (one port closed, one open: the scan engine's classes), then the
 * diagnosis of {@code https://reach-training.test:PORT/} against an HTTPS server this class starts on 127.0.0.1
 * with a throw-away certificate from the JDK's keytool: the name from a hosts file, route and neighbour,
 * connect and pings, the TLS handshake, HTTP and the Date header, the verdict, and the JSON and JUnit reports
 * (the text report is small; Jackson is not). One run in one engine: a second engine would load the plugins'
 * classes again, and the cache keeps no class it saw twice. What it prints is discarded; it never fails the
 * launcher (without keytool, the same run goes to a closed port instead).
 */
public final class Training {
    private static final String PASSWORD = "reach-training";
    /** A name in the reserved .test domain, answered by the run's own hosts file only. */
    private static final String NAME = "reach-training.test";

    private Training() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("probe") || args[0].equals("probe-tls"))) {
            probe(args[0].equals("probe-tls"));
            return;
        }
        if (args.length > 0) {
            System.err.println("usage: Training [probe | probe-tls]");
            System.exit(2);
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        Path dir = Files.createTempDirectory("reach-training");
        int code;
        String failures = "";
        try (PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream())) {
            System.setOut(nowhere);
            System.setErr(nowhere);
            Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + NAME + "\n");
            Files.writeString(dir.resolve("resolv.conf"), "# no nameserver: the hosts file answers\n");
            HttpsServer https = httpsServer(dir);
            System.setProperty("reach.history", dir.resolve("history.db").toString()); // the history's classes, not the user's history
            try (Nameserver ns = Nameserver.start()) {
                // the nameserver is asked first, in the same engine (a second engine would load the plugins' classes
                // again): the diagnosis itself then gets its name from the hosts file, as the target it is given
                Files.writeString(dir.resolve("training.yaml"), """
                        name: training
                        steps:
                          - id: nameserver
                            probe: dns.resolve
                            with: {name: %s, server: "127.0.0.1:%d", hosts_file: "%s", system: hosts, timeout: 2s}
                          - id: scan
                            probe: tcp.scan
                            with: {hosts: [127.0.0.1], ports: [%d, %d], timeout: 1s}
                          - id: diagnosis
                            include: "%s"
                            with: {host: %s, port: %d, tls: "%s", http: %s, ca: "%s", resolv_conf: "%s", hosts_file: "%s", system: hosts}
                        """.formatted(NAME, ns.port(), dir.resolve("hosts"), closedPort(), ns.port(), Path.of(System.getProperty("reach.home", "."),
                        "playbooks", "unreachable.yaml").toAbsolutePath(), NAME, https != null ? https.getAddress().getPort() : closedPort(),
                        https != null ? "yes" : "no", https != null, dir.resolve("ca.pem"), dir.resolve("resolv.conf"), dir.resolve("hosts")));
                code = Main.run("run", dir.resolve("training.yaml").toString(), "--json", "--junit", dir.resolve("junit.xml").toString());
                code = https != null ? code : 0; // without keytool the diagnosis goes to a closed port: not ok, as it should be
                if (code != 0) failures = failures(dir.resolve("junit.xml"));
            } finally {
                if (https != null) https.stop(0);
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            deleteTree(dir);
        }
        if (code != 0) {
            // the launcher keeps the cache either way; a test sees that the path it was meant to record did not run
            System.err.println("reach training: the run ended with exit code " + code + ", not 0 (healthy)" + failures);
            System.exit(code);
        }
    }

    /**
     * The training of the caches {@code reach probe ...} starts with: the probes scripts loop over, each once, each
     * from a plugin of its own (a plugin loaded twice would be two loaders of the same classes, which the cache keeps
     * neither of). Without {@code tls}: in text {@code dns.resolve} against this class's nameserver,
     * {@code tcp.scan --json} of 2 049 loopback addresses (one port open on 127.0.0.1, every other connect refused)
     * and {@code route.lookup}; with it, {@code tls.handshake} and {@code http.get} against its HTTPS server (the
     * launchers start the {@code tls.*} and {@code http.*} probes with that cache). Either path needs a fraction of
     * the classes of a diagnosis (no JavaScript, no YAML, no playbook), and the TLS one a thousand more than the
     * others (the handshake, certificates, the ciphers): the JVM preloads every class of the cache it starts with,
     * so each start preloads what its own kind of probe needs. The plugin of each probe is found through the probe
     * index the diagnosis' training wrote (without it every plugin loads, as in any run without the index).
     */
    private static void probe(boolean tls) throws Exception {
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("reach-training");
        StringBuilder failures = new StringBuilder();
        HttpsServer https = tls ? httpsServer(dir) : null;
        try (PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
             ServerSocket open = tls ? null : new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             Nameserver ns = tls ? null : Nameserver.start()) {
            System.setOut(nowhere);
            System.setProperty("reach.history", dir.resolve("history.db").toString());
            try {
                List<List<String>> runs = new ArrayList<>();
                if (tls && https == null) failures.append("\n  no keytool in this runtime: no HTTPS server for the TLS probes");
                if (!tls) {
                    runs.add(List.of("probe", "dns.resolve", "name=" + NAME, "server=127.0.0.1:" + ns.port(), "type=A", "system=off", "timeout=2s"));
                    runs.add(List.of("probe", "tcp.scan", "hosts=127.0.0.1,127.3.0.0-127.3.7.255", "ports=" + closedPort() + "," + open.getLocalPort(),
                            "timeout=1s", "--json"));
                    runs.add(List.of("probe", "route.lookup", "host=127.0.0.1"));
                } else if (https != null) {
                    String port = String.valueOf(https.getAddress().getPort());
                    String ca = "ca=" + dir.resolve("ca.pem");
                    runs.add(List.of("probe", "tls.handshake", "host=127.0.0.1", "port=" + port, "sni=" + NAME, ca, "timeout=3s"));
                    runs.add(List.of("probe", "http.get", "url=https://" + NAME + ":" + port + "/", "address=127.0.0.1", ca, "proxy=off", "timeout=3s"));
                }
                for (List<String> run : runs) {
                    int code = Main.run(run.toArray(String[]::new));
                    if (code != 0) failures.append("\n  reach ").append(String.join(" ", run)).append(": exit code ").append(code);
                }
            } finally {
                if (https != null) https.stop(0);
            }
        } finally {
            System.setOut(out);
            deleteTree(dir);
        }
        if (!failures.isEmpty()) {
            // the launcher keeps the cache either way; a test sees that the path it was meant to record did not run
            System.err.println("reach training: a probe did not end in 0 (ok)" + failures);
            System.exit(1);
        }
    }

    /** Deletes the training's temporary folder and all it holds. */
    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The failed checks of the run's JUnit report, one a line (what a test that sees the training fail needs to know). */
    private static String failures(Path junit) {
        try {
            StringBuilder b = new StringBuilder();
            var m = java.util.regex.Pattern.compile("<testcase [^>]*name=\"([^\"]*)\"[^>]*>\\s*<(failure|error) message=\"([^\"]*)\"")
                    .matcher(Files.readString(junit));
            for (int i = 0; i < 20 && m.find(); i++) {
                b.append("\n  ").append(m.group(1)).append(": ").append(m.group(2)).append(": ").append(m.group(3));
            }
            return b.toString();
        } catch (IOException e) {
            return " (no JUnit report: " + e.getMessage() + ")";
        }
    }

    /** A loopback port nothing listens on (just closed by us). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** An HTTPS server on 127.0.0.1 with a fresh EC key and certificate, or null without keytool. */
    private static HttpsServer httpsServer(Path dir) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = dir.resolve("server.p12");
        if (!Files.isExecutable(keytool)
                || !run(keytool.toString(), "-genkeypair", "-alias", "reach", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + NAME, "-ext", "san=dns:" + NAME, "-validity", "90", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
                || !run(keytool.toString(), "-exportcert", "-rfc", "-alias", "reach", "-keystore", store.toString(),
                "-storepass", PASSWORD, "-file", dir.resolve("ca.pem").toString())) {
            return null;
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        // each connection on its own thread, as a real server serves them: by default the dispatcher thread runs
        // every exchange itself, and the diagnosis' tcp.hello opens two connections at once (its request and a
        // full-size segment beside it), each a ClientHello it never finishes; when the full-size one was read
        // first, the server sat in its handshake until the probe gave up on the other after 3 s (CI, stop 35)
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        warm(server.getAddress().getPort());
        return server;
    }

    /**
     * One handshake and request of our own against the server before the diagnosis: a cold JSSE server on a busy
     * machine took more than the diagnosis' 3 s to answer its first ClientHello (tcp.no-response, a failed training).
     */
    private static void warm(int port) {
        javax.net.ssl.X509TrustManager ours = new javax.net.ssl.X509TrustManager() {   // our own server, just made
            @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) { }
            @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) { }
            @Override public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
        };
        try {
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, new javax.net.ssl.TrustManager[] {ours}, null);
            try (java.net.Socket raw = new java.net.Socket()) {
                raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 30_000);
                raw.setSoTimeout(30_000);
                try (var s = (javax.net.ssl.SSLSocket) client.getSocketFactory().createSocket(raw, NAME, port, true)) {
                    s.startHandshake();
                    s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + NAME + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().readAllBytes();
                }
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            // the diagnosis then meets a cold server, as before
        }
    }

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    /**
     * A nameserver on 127.0.0.1 (UDP and TCP on one port) for the training: it answers every question for
     * {@link #NAME} with its own bytes turned into a reply, an A record 127.0.0.1 added to A questions. At most
     * 8 questions or idle seconds a transport; closed by the training.
     */
    private record Nameserver(DatagramSocket udp, ServerSocket tcp, Thread thread) implements AutoCloseable {
        static Nameserver start() throws IOException {
            DatagramSocket udp = null;
            ServerSocket tcp = null;
            for (int i = 0; i < 8 && tcp == null; i++) { // the same port free on both transports
                udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                try {
                    tcp = new ServerSocket(udp.getLocalPort(), 4, InetAddress.getLoopbackAddress());
                } catch (IOException taken) {
                    udp.close();
                }
            }
            if (tcp == null) throw new IOException("no port free on both UDP and TCP");
            udp.setSoTimeout(1000);
            tcp.setSoTimeout(1000);
            DatagramSocket u = udp;
            ServerSocket t = tcp;
            Thread thread = Thread.ofPlatform().daemon().name("reach-training-dns").start(() -> {
                Thread streams = Thread.ofPlatform().daemon().start(() -> serveTcp(t));
                for (int n = 0; n < 8; n++) {
                    try {
                        DatagramPacket p = new DatagramPacket(new byte[512], 512);
                        u.receive(p);
                        byte[] reply = reply(Arrays.copyOf(p.getData(), p.getLength()));
                        u.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    } catch (java.net.SocketTimeoutException idle) {
                        // a second without a question (a cold engine may take longer to ask): wait on, 8 s at most
                    } catch (IOException e) {
                        break; // closed
                    }
                }
                try {
                    streams.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return new Nameserver(udp, tcp, thread);
        }

        int port() {
            return udp.getLocalPort();
        }

        private static void serveTcp(ServerSocket server) {
            for (int n = 0; n < 8; n++) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(1000);
                    var in = new DataInputStream(s.getInputStream());
                    var out = new DataOutputStream(s.getOutputStream());
                    for (int q = 0; q < 8; q++) {
                        byte[] query = new byte[in.readUnsignedShort()];
                        in.readFully(query);
                        byte[] reply = reply(query);
                        out.writeShort(reply.length);
                        out.write(reply);
                        out.flush();
                    }
                } catch (IOException e) {
                    if (server.isClosed()) return; // else the client closed its connection: the next one
                }
            }
        }

        /** The query as its own reply (QR and RA set), with {@code NAME A 127.0.0.1 ttl 60} for an A question. */
        static byte[] reply(byte[] query) {
            if (query.length < 17) return query;
            int end = 12;
            while (end < query.length && query[end] != 0) end += (query[end] & 0xff) + 1; // the question's name
            boolean a = end + 4 < query.length && query[end + 1] == 0 && query[end + 2] == 1; // QTYPE A
            int questionEnd = Math.min(query.length, end + 5);
            byte[] answer = a ? new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1} : new byte[0];
            byte[] reply = Arrays.copyOf(query, questionEnd + answer.length);
            System.arraycopy(answer, 0, reply, questionEnd, answer.length);
            reply[2] |= (byte) 0x80;
            reply[3] = (byte) 0x80;                       // RA, RCODE NOERROR
            reply[6] = 0;
            reply[7] = (byte) (a ? 1 : 0);                // ANCOUNT
            reply[8] = reply[9] = reply[10] = reply[11] = 0; // no authority, no additional (the query's OPT dropped)
            return reply;
        }

        @Override
        public void close() throws Exception {
            udp.close();
            tcp.close();
            thread.join(3000);
        }
    }
}
