package dev.reach.spi;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PEM file of CA certificates, read as an index by subject: a certificate is parsed only when a server's chain
 * names it as an issuer. The system's bundle holds about 150 certificates, and parsing them all cost a cold JVM
 * half a second in every probe that checks trust; one server's chain needs one or two of them.
 *
 * <pre>{@code
 * TrustBundle ca = TrustBundle.read(Path.of("/etc/ssl/certs/ca-certificates.crt"));
 * Set<TrustAnchor> anchors = ca.anchorsFor(chain);            // for a PKIX validation of your own
 * SSLContext tls = SSLContext.getInstance("TLS");
 * tls.init(null, new TrustManager[] {ca.trustManager()}, null); // or for a handshake (hostname checks included)
 * }</pre>
 *
 * Names are matched by their encoding first; a chain whose issuer matches no entry that way is matched by meaning
 * (every entry's subject read, not its whole certificate), so a CA whose name is encoded differently is still found.
 */
public final class TrustBundle {
    private final Path file;
    private final List<byte[]> certificates;                      // DER, in file order
    private final Map<ByteBuffer, List<Integer>> bySubject;       // subject Name's DER -> indexes
    private final Map<Integer, X509Certificate> parsed = new HashMap<>();

    private TrustBundle(Path file, List<byte[]> certificates, Map<ByteBuffer, List<Integer>> bySubject) {
        this.file = file;
        this.certificates = certificates;
        this.bySubject = bySubject;
    }

    /**
     * Reads the file's {@code -----BEGIN CERTIFICATE-----} blocks.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such file
     * @throws IllegalArgumentException           when it holds no certificate
     */
    public static TrustBundle read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);   // PEM is ASCII; never fails on other bytes
        List<byte[]> certs = new ArrayList<>();
        Map<ByteBuffer, List<Integer>> index = new HashMap<>();
        String begin = "-----BEGIN CERTIFICATE-----";
        String end = "-----END CERTIFICATE-----";
        for (int at = text.indexOf(begin); at >= 0 && certs.size() < 10_000; at = text.indexOf(begin, at + 1)) {
            int stop = text.indexOf(end, at);
            if (stop < 0) break;
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(text.substring(at + begin.length(), stop));
            } catch (IllegalArgumentException e) {
                continue;                                  // not base64: as CertificateFactory would, skip it
            }
            byte[] subject = subject(der);
            int i = certs.size();
            certs.add(der);
            index.computeIfAbsent(ByteBuffer.wrap(subject == null ? new byte[0] : subject), k -> new ArrayList<>()).add(i);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + file);
        }
        return new TrustBundle(file, List.copyOf(certs), index);
    }

    /** How many certificates the file holds. */
    public int size() {
        return certificates.size();
    }

    /**
     * The bundle's certificates a chain can end at, as trust anchors: those named as the subject or the issuer of a
     * certificate in the chain. Empty when the bundle has none of them (the chain is then not trusted by it).
     *
     * @throws CertificateException when one of those certificates in the file is not a valid certificate
     */
    public synchronized Set<TrustAnchor> anchorsFor(List<X509Certificate> chain) throws CertificateException {
        Set<Integer> wanted = new LinkedHashSet<>();
        for (X509Certificate c : chain) {
            for (X500Principal name : List.of(c.getIssuerX500Principal(), c.getSubjectX500Principal())) {
                wanted.addAll(bySubject.getOrDefault(ByteBuffer.wrap(name.getEncoded()), List.of()));
            }
        }
        if (wanted.isEmpty()) {                            // no name by its bytes: by its meaning (another encoding)
            Set<X500Principal> names = new java.util.HashSet<>();
            chain.forEach(c -> {
                names.add(c.getIssuerX500Principal());
                names.add(c.getSubjectX500Principal());
            });
            for (var e : bySubject.entrySet()) {
                X500Principal subject = principal(e.getKey());
                if (subject == null || names.contains(subject)) wanted.addAll(e.getValue());   // unreadable: parse it
            }
        }
        Set<TrustAnchor> out = new LinkedHashSet<>();
        for (int i : wanted) {
            out.add(new TrustAnchor(certificate(i), null));
        }
        return out;
    }

    /**
     * A trust manager over the bundle: for each server it builds the JDK's PKIX trust manager from the anchors the
     * chain names (hostname checks as the JDK's own). Client certificates are not trusted through it.
     */
    public X509ExtendedTrustManager trustManager() {
        return new Lazy();
    }

    private X509Certificate certificate(int i) throws CertificateException {
        X509Certificate c = parsed.get(i);
        if (c == null) {
            c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(certificates.get(i)));
            parsed.put(i, c);
        }
        return c;
    }

    private static X500Principal principal(ByteBuffer der) {
        if (der.remaining() == 0) return null;
        try {
            return new X500Principal(der.array());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The DER of a certificate's subject Name, by a walk of its first fields (tbsCertificate: version, serial,
     * signature, issuer, validity, subject); null when the bytes are not laid out so.
     */
    static byte[] subject(byte[] der) {
        try {
            int[] cert = tlv(der, 0);                      // Certificate SEQUENCE
            int[] tbs = tlv(der, cert[1]);                 // tbsCertificate SEQUENCE
            int at = tbs[1];
            if ((der[at] & 0xff) == 0xa0) at = next(der, at);   // [0] version
            for (int field = 0; field < 4; field++) {      // serial, signature, issuer, validity
                at = next(der, at);
            }
            if ((der[at] & 0xff) != 0x30) return null;     // subject is a SEQUENCE
            int end = next(der, at);
            return java.util.Arrays.copyOfRange(der, at, end);
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            return null;
        }
    }

    /** {tag position, content start, content end} of the element at {@code at}. */
    private static int[] tlv(byte[] der, int at) {
        int len = der[at + 1] & 0xff;
        int content = at + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n == 0 || n > 3) throw new IllegalArgumentException("length");
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (der[at + 2 + i] & 0xff);
            content += n;
        }
        if (content + len > der.length) throw new IllegalArgumentException("length");
        return new int[] {at, content, content + len};
    }

    private static int next(byte[] der, int at) {
        return tlv(der, at)[2];
    }

    /** Builds the JDK's trust manager per chain from the anchors that chain names. */
    private final class Lazy extends X509ExtendedTrustManager {
        private X509ExtendedTrustManager forChain(X509Certificate[] chain) throws CertificateException {
            Set<TrustAnchor> anchors = anchorsFor(List.of(chain));
            if (anchors.isEmpty()) {
                throw new CertificateException("PKIX path building failed: unable to find valid certification path to requested"
                        + " target (no CA certificate of " + file + " issued this chain)");
            }
            try {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (TrustAnchor a : anchors) store.setCertificateEntry("ca" + i++, a.getTrustedCert());
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(store);
                for (TrustManager tm : f.getTrustManagers()) {
                    if (tm instanceof X509ExtendedTrustManager x) return x;
                }
                throw new CertificateException("no X.509 trust manager in this JDK");
            } catch (IOException | GeneralSecurityException e) {
                throw new CertificateException("cannot build a trust manager for " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            forChain(chain).checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            forChain(chain).checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            forChain(chain).checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client certificates are not checked by reach");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client certificates are not checked by reach");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not checked by reach");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];      // the server's certificate request names none: reach sends none anyway
        }
    }
}
