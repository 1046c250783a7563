package dev.reach.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TrustBundle on the system's own bundle (Debian's ca-certificates) and on certificates openssl makes here. */
class TrustBundleTest {
    private static final Path SYSTEM = Path.of("/etc/ssl/certs/ca-certificates.crt");

    @TempDir
    Path dir;

    /** The quick walk to each certificate's subject agrees with the JDK's full parse, certificate by certificate. */
    @Test
    void theSubjectOfEveryCertificateOfTheSystemBundleIsFoundByTheWalk() throws Exception {
        assumeTrue(Files.isReadable(SYSTEM), "skipped: no " + SYSTEM + " (apt-get install ca-certificates)");
        List<X509Certificate> all = new ArrayList<>();
        try (var in = Files.newInputStream(SYSTEM)) {
            CertificateFactory.getInstance("X.509").generateCertificates(in).forEach(c -> all.add((X509Certificate) c));
        }
        assertThat(all).hasSizeGreaterThan(50);
        for (X509Certificate c : all) {
            assertThat(TrustBundle.subject(c.getEncoded())).as(c.getSubjectX500Principal().getName())
                    .isEqualTo(c.getSubjectX500Principal().getEncoded());
        }
        TrustBundle bundle = TrustBundle.read(SYSTEM);
        assertThat(bundle.size()).isEqualTo(all.size());
        X509Certificate root = all.get(all.size() / 2);
        assertThat(bundle.anchorsFor(List.of(root))).extracting(TrustAnchor::getTrustedCert).contains(root).hasSizeLessThan(4);
    }

    @Test
    void aChainIsTrustedThroughTheCaThatIssuedItAndAStrangerIsNot() throws Exception {
        assumeTrue(openssl(dir, "version"), "skipped: openssl is missing");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=reach-test-ca");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost");
        Files.writeString(dir.resolve("ext"), "subjectAltName=DNS:localhost\n");
        openssl(dir, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem",
                "-days", "30", "-extfile", "ext");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "30", "-subj", "/CN=stranger");
        // a bundle of two CAs (the stranger's and ours) with text around the blocks, as Debian's has none but others do
        Files.writeString(dir.resolve("bundle.pem"), "# two CAs\n" + Files.readString(dir.resolve("other.pem")) + "\nnoise\n"
                + Files.readString(dir.resolve("ca.pem")));
        TrustBundle bundle = TrustBundle.read(dir.resolve("bundle.pem"));
        assertThat(bundle.size()).isEqualTo(2);
        X509Certificate leaf = pem(dir.resolve("leaf.pem"));
        X509Certificate ca = pem(dir.resolve("ca.pem"));
        assertThat(bundle.anchorsFor(List.of(leaf))).extracting(TrustAnchor::getTrustedCert).containsExactly(ca);

        bundle.trustManager().checkServerTrusted(new X509Certificate[] {leaf}, "RSA");        // trusted: no exception
        X509Certificate stranger = selfSigned(dir, "loner");
        assertThat(bundle.anchorsFor(List.of(stranger))).isEmpty();
        assertThatThrownBy(() -> bundle.trustManager().checkServerTrusted(new X509Certificate[] {stranger}, "RSA"))
                .isInstanceOf(CertificateException.class).hasMessageContaining("PKIX path building failed")
                .hasMessageContaining("unable to find valid certification path");
    }

    @Test
    void aFileWithNoCertificateOrNoFileAtAllSaysSo() throws Exception {
        Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        assertThatThrownBy(() -> TrustBundle.read(dir.resolve("empty.pem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no certificate in " + dir.resolve("empty.pem"));
        assertThatThrownBy(() -> TrustBundle.read(dir.resolve("missing.pem"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void bytesThatAreNoCertificateHaveNoSubject() {
        assertThat(TrustBundle.subject(new byte[0])).isNull();
        assertThat(TrustBundle.subject(new byte[] {0x30, (byte) 0x84, 1, 2, 3, 4})).isNull();
        assertThat(TrustBundle.subject(Base64.getDecoder().decode("MAMCAQE="))).isNull();   // SEQUENCE { INTEGER 1 }
    }

    private static X509Certificate selfSigned(Path dir, String cn) throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", cn + ".key", "-out", cn + ".pem", "-days", "30", "-subj", "/CN=" + cn);
        return pem(dir.resolve(cn + ".pem"));
    }

    private static X509Certificate pem(Path file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readString(file).getBytes(StandardCharsets.US_ASCII)));
    }

    private static boolean openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        } catch (java.io.IOException e) {
            return false;
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl " + String.join(" ", args) + " did not finish in 60 s");
        }
        assertThat(p.exitValue()).as("openssl " + String.join(" ", args) + ": " + Files.readString(dir.resolve("openssl.log"))).isZero();
        return true;
    }
}
