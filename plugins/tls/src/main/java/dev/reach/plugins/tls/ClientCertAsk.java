package dev.reach.plugins.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A key manager without a key: JSSE asks it for a client certificate exactly when the server sent a
 * CertificateRequest (mutual TLS), so it notes that, and the CAs the server named; it offers none, and after the handshake
 * it hears the server's verdict on that ({@link #awaitVerdict}).
 */
final class ClientCertAsk extends X509ExtendedKeyManager {
    private volatile boolean asked;
    private volatile List<String> issuers = List.of();

    /** The server asked for a client certificate. */
    boolean asked() {
        return asked;
    }

    /** The CAs the server said it accepts client certificates from (may be empty: any). */
    List<String> issuers() {
        return issuers;
    }

    /**
     * After a completed handshake in which the server asked: under TLS 1.3 the server judges the client's (empty)
     * certificate after the handshake, and its first record says how. Waits max(200 ms, 5 handshakes), at most
     * {@code left}; a fatal alert (certificate_required) is thrown as the handshake's failure, silence means the request
     * was optional and the session stands. Does nothing when the server did not ask.
     */
    void awaitVerdict(SSLSocket s, Duration handshake, Duration left) throws IOException {
        if (!asked) return;
        long listen = Math.min(Math.max(200, 5 * handshake.toMillis()), left.toMillis());
        s.setSoTimeout((int) Math.clamp(listen, 1, Integer.MAX_VALUE));
        try {
            s.getInputStream().read();
        } catch (SocketTimeoutException optional) {
            // the server went on without a client certificate
        }
    }

    private String note(Principal[] from) {
        asked = true;
        issuers = from == null ? List.of() : Arrays.stream(from).map(Principal::getName).toList();
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] from, Socket socket) {
        return note(from);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] from, SSLEngine engine) {
        return note(from);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] from) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] from) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] from, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return null;
    }
}
