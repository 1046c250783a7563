package dev.reach.plugins.http;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/** The TLS contexts http.get runs with: a fresh one per run, trusting the JDK's CAs or a PEM file's. */
final class TlsContexts {
    private TlsContexts() {
    }

    /**
     * The default trust, in a context of its own: the JDK's default context keeps TLS sessions for the whole
     * process, and in a shell or a resident reach a later run would resume one instead of checking the server again.
     */
    static SSLContext fresh() throws GeneralSecurityException {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, null, null);
        return tls;
    }

    static SSLContext trusting(Path file) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(file)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("no certificate in " + file);
            }
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, f.getTrustManagers(), null);
        return tls;
    }
}
