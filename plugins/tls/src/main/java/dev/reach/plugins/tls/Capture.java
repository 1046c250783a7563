package dev.reach.plugins.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Accepts any server chain and keeps it, so the chain can be judged after the handshake. Extended, so the JDK does not
 * wrap it with its own algorithm and endpoint checks.
 */
final class Capture extends X509ExtendedTrustManager {
    private final AtomicReference<X509Certificate[]> seen;

    Capture(AtomicReference<X509Certificate[]> seen) {
        this.seen = seen;
    }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { seen.set(chain.clone()); }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { seen.set(chain.clone()); }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { seen.set(chain.clone()); }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
    @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}
