package dev.reach.shell;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run the {@code ./reach} launcher records into the JDK's AOT cache: the common path of a start,
 * once, on loopback only — every plugin loaded, then {@code reach https://reach-training.test:PORT/} against
 * an HTTPS server this class starts on 127.0.0.1 with a throw-away certificate from the JDK's keytool: the
 * name from a hosts file, route and neighbour, connect and pings, the TLS handshake, HTTP and the Date
 * header, the verdict, and the JSON and JUnit reports (the text report is small; Jackson is not). One run in
 * one engine: a second engine would load the plugins' classes again, and the cache keeps no class it saw
 * twice. What it prints is discarded; it never fails the launcher (without keytool, the same run goes to a
 * closed port instead).
 */
public final class Training {
    private static final String PASSWORD = "reach-training";
    /** A name in the reserved .test domain, answered by the run's own hosts file only. */
    private static final String NAME = "reach-training.test";

    private Training() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Path dir = Files.createTempDirectory("reach-training");
        try (PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream())) {
            System.setOut(nowhere);
            System.setErr(nowhere);
            Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + NAME + "\n");
            Files.writeString(dir.resolve("resolv.conf"), "# no nameserver: the hosts file answers\n");
            HttpsServer https = httpsServer(dir);
            String target = https != null ? "https://" + NAME + ":" + https.getAddress().getPort() + "/" : NAME + ":" + closedPort();
            try {
                Main.run(target, "--json", "--junit", dir.resolve("junit.xml").toString(), "--set", "ca=" + dir.resolve("ca.pem"),
                        "--set", "resolv_conf=" + dir.resolve("resolv.conf"), "--set", "hosts_file=" + dir.resolve("hosts"), "--set", "system=hosts");
            } finally {
                if (https != null) https.stop(0);
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
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
                "-dname", "CN=" + NAME, "-ext", "san=dns:" + NAME, "-validity", "2", "-keystore", store.toString(),
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
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        return server;
    }

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
