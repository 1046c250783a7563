package dev.reach.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The lab's certificates, made with the openssl command: a CA (ca.pem) and, all with server.key,
 * good.pem (web.lab.test, by the CA, 400 days), expiring.pem (the same, 5 days: within tls.handshake's 14-day
 * warning), expired.pem (web.lab.test, notAfter yesterday), other.pem (other.lab.test, by the CA),
 * selfsigned.pem (web.lab.test, signed by itself), inter.pem (an intermediate CA signed by the CA) and chained.pem
 * (web.lab.test, signed by the intermediate: a server that sends it alone leaves its chain incomplete), and
 * interchain.pem (the intermediate and the CA: the rest of chained.pem's chain, up to its root).
 */
final class LabCerts {
    private LabCerts() {
    }

    /** Makes every certificate in dir and returns the CA's PEM file. */
    static Path make(Path dir) throws IOException {
        Path ext = Files.writeString(dir.resolve("web.ext"), "subjectAltName=DNS:web.lab.test\n");
        Path otherExt = Files.writeString(dir.resolve("other.ext"), "subjectAltName=DNS:other.lab.test\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "400", "-subj", "/CN=reach-lab-ca");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "web.csr", "-subj", "/CN=web.lab.test");
        openssl(dir, "req", "-new", "-key", "server.key", "-out", "other.csr", "-subj", "/CN=other.lab.test");
        sign(dir, "web.csr", "good.pem", "400", ext);
        sign(dir, "web.csr", "expiring.pem", "5", ext);
        sign(dir, "web.csr", "expired.pem", "-1", ext);
        sign(dir, "other.csr", "other.pem", "400", otherExt);
        openssl(dir, "x509", "-req", "-in", "web.csr", "-signkey", "server.key", "-out", "selfsigned.pem", "-days", "400",
                "-extfile", ext.toString());
        Path caExt = Files.writeString(dir.resolve("inter.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "inter.key", "-out", "inter.csr", "-subj", "/CN=reach-lab-intermediate");
        sign(dir, "inter.csr", "inter.pem", "400", caExt);
        openssl(dir, "x509", "-req", "-in", "web.csr", "-CA", "inter.pem", "-CAkey", "inter.key", "-CAcreateserial",
                "-out", "chained.pem", "-days", "400", "-extfile", ext.toString());
        Files.writeString(dir.resolve("interchain.pem"), Files.readString(dir.resolve("inter.pem")) + Files.readString(dir.resolve("ca.pem")));
        return dir.resolve("ca.pem");
    }

    private static void sign(Path dir, String csr, String out, String days, Path ext) throws IOException {
        openssl(dir, "x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", out,
                "-days", days, "-extfile", ext.toString());
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl " + String.join(" ", args) + " did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
    }
}
