package dev.reach.plugins.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * A key manager without a key: JSSE asks it for a client certificate exactly when the server sent a
 * CertificateRequest (mutual TLS), so it notes that, and the CAs the server named; it offers none.
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
