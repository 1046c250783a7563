package dev.reach.plugins.tls;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * tls.handshake against real {@code openssl s_server} processes on 127.0.0.1, one per case, with
 * certificates this test makes with the openssl CLI: a root CA, an intermediate, and leaves that are
 * valid, expired, not yet valid, for another name, expiring in five days, or self-signed. Every server is
 * stopped by its PID.
 */
class TlsHandshakeProbeIT {
    private static Path dir;
    private static final List<Process> SERVERS = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        assumeTrue(onPath("openssl"), "skipped: these tests run openssl s_server and need 'openssl' on PATH");
        dir = Files.createTempDirectory("reach-tls-it");
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "01\n");
        Files.writeString(dir.resolve("ca.cnf"), """
                [ca]
                default_ca = c
                [c]
                database = index.txt
                new_certs_dir = .
                serial = serial
                default_md = sha256
                policy = p
                unique_subject = no
                [p]
                commonName = supplied
                [leaf]
                subjectAltName = $ENV::SAN
                basicConstraints = CA:false
                [inter]
                basicConstraints = critical,CA:true
                keyUsage = critical,keyCertSign,cRLSign
                """);
        String ec = "ec_paramgen_curve:P-256";
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "root.key", "-out", "root.pem",
                "-subj", "/CN=Reach Test Root", "-days", "30", "-addext", "basicConstraints=critical,CA:true",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "inter.key", "-out", "inter.csr", "-subj", "/CN=Reach Test Intermediate");
        sign("inter", "root", "inter", "", "-days", "30");
        openssl("req", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost");
        String local = "IP:127.0.0.1,DNS:localhost";
        sign("leaf", "inter", "good", local, "-days", "90");
        sign("leaf", "root", "expired", local, "-startdate", "20200101000000Z", "-enddate", "20210101000000Z");
        sign("leaf", "root", "future", local, "-startdate", "20400101000000Z", "-enddate", "20410101000000Z");
        sign("leaf", "root", "othername", "DNS:other.test", "-days", "90");
        sign("leaf", "root", "expiring", local, "-days", "5");
        Files.writeString(dir.resolve("inter+root.pem"), Files.readString(dir.resolve("inter.pem")) + Files.readString(dir.resolve("root.pem")));
        openssl("req", "-x509", "-key", "leaf.key", "-out", "self.pem", "-subj", "/CN=localhost", "-days", "30",
                "-addext", "subjectAltName=" + local);
    }

    @AfterAll
    static void stopServers() throws IOException {
        for (Process p : SERVERS) {
            p.destroyForcibly();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    @Test
    void validChainToTheGivenCaIsOk() throws Exception {
        int port = serve("good.pem", "-cert_chain", "inter.pem");
        Observation o = probe(port, "ca=" + dir.resolve("root.pem"));
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("trusted", true).containsEntry("hostname_verified", true).containsEntry("trust", "trusted");
        assertThat(o.facts().get("protocol")).isEqualTo("TLSv1.3");
        assertThat((List<?>) o.facts().get("chain")).hasSize(2);
        @SuppressWarnings("unchecked")
        Map<String, Object> leaf = (Map<String, Object>) ((List<?>) o.facts().get("chain")).getFirst();
        assertThat(leaf).containsEntry("subject", "CN=localhost").containsEntry("issuer", "CN=Reach Test Intermediate")
                .containsEntry("key", "EC 256").containsEntry("sans", List.of("IP:127.0.0.1", "DNS:localhost"));
        assertThat(((Number) o.facts().get("days_left")).longValue()).isBetween(28L, 30L); // the intermediate, 30 days
    }

    @Test
    void sniNamingAnotherNameIsTheNameVerified() throws Exception {
        int port = serve("good.pem", "-cert_chain", "inter.pem");
        Observation o = probe(port, "ca=" + dir.resolve("root.pem"), "sni=db.test");
        assertThat(o.cause()).as(o.toString()).contains("tls.hostname-mismatch");
        assertThat(o.facts()).containsEntry("verified_name", "db.test");
    }

    @Test
    void expiredCertificateIsExpired() throws Exception {
        Observation o = probe(serve("expired.pem"), "ca=" + dir.resolve("root.pem"));
        assertThat(o.cause()).as(o.toString()).contains("tls.expired");
        assertThat(o.summary()).contains("expired on 2021-01-01");
        assertThat(((Number) o.facts().get("days_left")).longValue()).isNegative();
        assertThat(o.facts()).containsEntry("trusted", true); // dates apart, the chain itself is fine
    }

    @Test
    void certificateNotYetValidIsExpiredWithTheStartDate() throws Exception {
        Observation o = probe(serve("future.pem"), "ca=" + dir.resolve("root.pem"));
        assertThat(o.cause()).as(o.toString()).contains("tls.expired");
        assertThat(o.summary()).contains("is not valid before 2040-01-01");
    }

    @Test
    void certificateForAnotherNameIsHostnameMismatch() throws Exception {
        Observation o = probe(serve("othername.pem"), "ca=" + dir.resolve("root.pem"));
        assertThat(o.cause()).as(o.toString()).contains("tls.hostname-mismatch");
        assertThat(o.summary()).contains("does not cover '127.0.0.1'; it names DNS:other.test");
        assertThat(o.facts()).containsEntry("hostname_verified", false).containsEntry("trusted", true);
    }

    @Test
    void selfSignedCertificateIsUntrustedByTheSystemStore() throws Exception {
        Observation o = probe(serve("self.pem"));
        assertThat(o.cause()).as(o.toString()).contains("tls.untrusted");
        assertThat(o.facts()).containsEntry("trust", "self-signed").containsEntry("trust_store", "system");
        assertThat(o.summary()).contains("'CN=localhost' is self-signed and not a trusted CA");
    }

    @Test
    void chainToACaNobodyTrustsIsUntrusted() throws Exception {
        Observation o = probe(serve("good.pem", "-cert_chain", "inter+root.pem"));
        assertThat(o.cause()).as(o.toString()).contains("tls.untrusted");
        assertThat(o.facts()).containsEntry("trust", "untrusted-root");
        assertThat(o.summary()).contains("the chain ends at #2 'CN=Reach Test Root', a self-signed CA that is not trusted");
    }

    @Test
    void serverThatOmitsTheIntermediateBreaksTheChainAfterTheLeaf() throws Exception {
        Observation o = probe(serve("good.pem"), "ca=" + dir.resolve("root.pem"));
        assertThat(o.cause()).as(o.toString()).contains("tls.untrusted");
        assertThat(o.facts()).containsEntry("trust", "missing-issuer");
        assertThat(o.summary()).contains("breaks after #0 'CN=localhost': its issuer 'CN=Reach Test Intermediate' was not sent");
    }

    @Test
    void certificateExpiringWithinTheWindowIsAWarning() throws Exception {
        int port = serve("expiring.pem");
        Observation o = probe(port, "ca=" + dir.resolve("root.pem"));
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.WARN);
        assertThat(o.cause()).contains("tls.expiring");
        assertThat(probe(port, "ca=" + dir.resolve("root.pem"), "warn_days=3").status()).isEqualTo(Status.OK);
    }

    @Test
    void tls10OnlyServerIsAHandshakeFailureWithTheAlert() throws Exception {
        Observation o = probe(serve("good.pem", "-tls1", "-cipher", "DEFAULT@SECLEVEL=0"), "ca=" + dir.resolve("root.pem"));
        assertThat(o.cause()).as(o.toString()).contains("tls.handshake-failure");
        assertThat(o.facts()).containsEntry("alert", "protocol_version");
        assertThat(o.evidence()).anyMatch(l -> l.startsWith("offered TLSv1.3, TLSv1.2"));
    }

    /** Mutual TLS, required (-Verify): the handshake completes on the client's side, then the server refuses it. */
    @Test
    void serverRequiringAClientCertificateIsAHandshakeFailureThatSaysSo() throws Exception {
        int port = serve("good.pem", "-cert_chain", "inter.pem", "-Verify", "1", "-CAfile", "root.pem");
        Observation o = probe(port, "ca=" + dir.resolve("root.pem"));
        assertThat(o.cause()).as(o.toString()).contains("tls.handshake-failure");
        assertThat(o.facts()).containsEntry("outcome", "client-cert-required").containsEntry("client_cert", "required")
                .containsEntry("alert", "certificate_required");
        assertThat(o.summary()).contains("requires a client certificate (mutual TLS)");
        assertThat(o.evidence()).anyMatch(l -> l.startsWith("the server asked for a client certificate from CN=Reach Test Root"));
    }

    /** Mutual TLS, optional (-verify): the server asks, goes on without one, and the session stands. */
    @Test
    void serverAskingForAnOptionalClientCertificateIsOk() throws Exception {
        int port = serve("good.pem", "-cert_chain", "inter.pem", "-verify", "1", "-CAfile", "root.pem");
        Observation o = probe(port, "ca=" + dir.resolve("root.pem"));
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("client_cert", "requested");
    }

    @Test
    void alpnChoiceIsReported() throws Exception {
        int port = serve("good.pem", "-cert_chain", "inter.pem", "-alpn", "h2,http/1.1");
        Observation o = probe(port, "ca=" + dir.resolve("root.pem"), "alpn=h2,http/1.1");
        assertThat(o.facts()).as(o.toString()).containsEntry("alpn", "h2");
    }

    @Test
    void closedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(probe(port).cause()).contains("tcp.refused");
    }

    private static Observation probe(int port, String... more) {
        List<String> args = new ArrayList<>(List.of("host=127.0.0.1", "port=" + port, "timeout=5s"));
        args.addAll(List.of(more));
        return ProbeHarness.run(new TlsHandshakeProbe(), args.toArray(String[]::new));
    }

    /** Starts s_server with the shared leaf key and waits (at most 10 s) for it to accept. */
    private static int serve(String cert, String... more) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", cert, "-key", "leaf.key"));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        SERVERS.add(p);
        var ready = new java.util.concurrent.CompletableFuture<Boolean>();
        StringBuilder out = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                    if (line.startsWith("ACCEPT")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException e) {
                // the process was stopped
            }
            ready.complete(false);
        });
        boolean up = ready.get(10, TimeUnit.SECONDS);
        synchronized (out) {
            assertThat(up).as("openssl s_server %s: %s", cmd, out).isTrue();
        }
        return port;
    }

    private static void sign(String csr, String ca, String out, String san, String... validity) throws Exception {
        List<String> args = new ArrayList<>(List.of("ca", "-batch", "-config", "ca.cnf", "-cert", ca + ".pem", "-keyfile", ca + ".key",
                "-in", csr + ".csr", "-out", out + ".pem", "-notext", "-extensions", san.isEmpty() ? "inter" : "leaf"));
        args.addAll(List.of(validity));
        run(Map.of("SAN", san.isEmpty() ? "DNS:unused" : san), args);
    }

    private static void openssl(String... args) throws Exception {
        run(Map.of(), List.of(args));
    }

    private static void run(Map<String, String> env, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("openssl %s timed out", args).isTrue();
            assertThat(p.exitValue()).as("openssl %s: %s", args, out).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }
}
