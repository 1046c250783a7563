package dev.reach.plugins.http;

import dev.reach.spi.TrustBundle;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

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

    /** Trusting the CA certificates of a PEM file, each parsed only when a server's chain names it ({@link TrustBundle}). */
    static SSLContext trusting(Path file) throws IOException, GeneralSecurityException {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {TrustBundle.read(file).trustManager()}, null);
        return tls;
    }
}
