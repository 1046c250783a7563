package dev.reach.plugins.tls;

import dev.reach.spi.Failures;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The certificates a server sent: what each one says, whether the chain leads to a trusted CA (and where
 * it breaks when it does not), and whether the leaf covers the name asked for.
 */
final class CertChain {
    private CertChain() {
    }

    /** One certificate as people read it; {@code sans} are written {@code DNS:name} or {@code IP:address}. */
    record Cert(String subject, String issuer, List<String> sans, Instant notBefore, Instant notAfter, String key,
                String signatureAlgorithm, boolean selfIssued, String sha256) {
        Cert {
            sans = List.copyOf(sans);
        }

        /** A certificate described without its encoding (tests): no fingerprint. */
        Cert(String subject, String issuer, List<String> sans, Instant notBefore, Instant notAfter, String key,
             String signatureAlgorithm, boolean selfIssued) {
            this(subject, issuer, sans, notBefore, notAfter, key, signatureAlgorithm, selfIssued, "");
        }

        Map<String, Object> asFact() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subject", subject);
            m.put("issuer", issuer);
            m.put("sans", sans);
            m.put("not_before", notBefore.toString());
            m.put("not_after", notAfter.toString());
            m.put("key", key);
            m.put("signature_algorithm", signatureAlgorithm);
            m.put("self_issued", selfIssued);
            if (!sha256.isEmpty()) m.put("sha256", sha256);
            return m;
        }

        /** The common name in the subject, or empty text. */
        String commonName() {
            try {
                for (Rdn rdn : new LdapName(subject).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        return rdn.getValue().toString();
                    }
                }
            } catch (InvalidNameException e) {
                return "";
            }
            return "";
        }
    }

    /**
     * Whether the chain is trusted.
     *
     * @param kind   trusted, self-signed, untrusted-root, missing-issuer, invalid or no-chain
     * @param detail where and why the chain breaks, in words
     */
    record Trust(boolean trusted, String kind, String detail) {
    }

    static Cert describe(X509Certificate c) {
        List<String> sans = new ArrayList<>();
        try {
            Collection<List<?>> names = c.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    int type = (Integer) n.get(0);
                    if (type == 2) sans.add("DNS:" + n.get(1));
                    else if (type == 7) sans.add("IP:" + n.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            sans.add("unreadable: " + Failures.text(e));
        }
        return new Cert(name(c.getSubjectX500Principal()), name(c.getIssuerX500Principal()), sans,
                c.getNotBefore().toInstant(), c.getNotAfter().toInstant(), key(c.getPublicKey()), c.getSigAlgName(),
                c.getSubjectX500Principal().equals(c.getIssuerX500Principal()), fingerprint(c));
    }

    /** The SHA-256 of the certificate's DER encoding in hex, as {@code openssl x509 -fingerprint -sha256} names it; empty if unreadable. */
    static String fingerprint(X509Certificate c) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            return "";
        }
    }

    /**
     * Whether {@code name} (a DNS name or an IP literal) is covered by the leaf, by RFC 6125 rules as the
     * JDK applies them: IP addresses match IP SANs only; DNS names match DNS SANs (a wildcard stands for the
     * whole left-most label only), and the subject CN only when there is no DNS SAN at all.
     */
    static boolean covers(Cert leaf, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        wanted = wanted.endsWith(".") ? wanted.substring(0, wanted.length() - 1) : wanted;
        InetAddress ip = literal(wanted);
        if (ip != null) {
            return leaf.sans().stream().filter(s -> s.startsWith("IP:")).map(s -> literal(s.substring(3)))
                    .anyMatch(ip::equals);
        }
        List<String> dns = leaf.sans().stream().filter(s -> s.startsWith("DNS:")).map(s -> s.substring(4)).toList();
        List<String> candidates = dns.isEmpty() ? List.of(leaf.commonName()) : dns;
        for (String pattern : candidates) {
            if (matches(pattern.toLowerCase(Locale.ROOT), wanted)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String name) {
        if (!pattern.startsWith("*.")) {
            return pattern.equals(name);
        }
        int dot = name.indexOf('.');
        // the wildcard covers exactly one label, and never a public suffix-like bare "*.com"
        return dot > 0 && pattern.indexOf('.', 2) > 0 && name.substring(dot).equals(pattern.substring(1));
    }

    /**
     * Follows issuer links from the leaf through the certificates the server sent to a trust anchor, then has
     * the JDK's PKIX validator check that path (signatures, constraints; not dates, which the probe judges on
     * its own, and not revocation, which would need the network).
     */
    static Trust trust(List<X509Certificate> chain, Set<TrustAnchor> anchors, Instant now) {
        if (chain.isEmpty()) {
            return new Trust(false, "no-chain", "the server sent no certificate");
        }
        List<X509Certificate> path = new ArrayList<>();
        X509Certificate next = chain.getFirst();
        for (int i = 0; i <= chain.size(); i++) {
            X509Certificate current = next;
            if (anchors.stream().anyMatch(a -> current.equals(a.getTrustedCert()))) {
                return path.isEmpty() ? new Trust(true, "trusted", "the certificate itself is a trusted one")
                        : validate(path, anchors, now);
            }
            path.add(current);
            String at = "#" + (path.size() - 1) + " '" + name(current.getSubjectX500Principal()) + "'";
            if (anchors.stream().anyMatch(a -> issues(a.getTrustedCert(), current))) {
                return validate(path, anchors, now);
            }
            if (current.getSubjectX500Principal().equals(current.getIssuerX500Principal()) && issues(current, current)) {
                return path.size() == 1
                        ? new Trust(false, "self-signed", "the certificate " + at + " is self-signed and not a trusted CA")
                        : new Trust(false, "untrusted-root", "the chain ends at " + at
                        + ", a self-signed CA that is not trusted (an unknown or private CA)");
            }
            next = chain.stream().filter(c -> c != current && issues(c, current)).findFirst().orElse(null);
            if (next == null) {
                return new Trust(false, "missing-issuer", "the chain breaks after " + at + ": its issuer '"
                        + name(current.getIssuerX500Principal()) + "' was not sent by the server and is not a trusted CA"
                        + " (a missing intermediate, or an unknown CA)");
            }
        }
        return new Trust(false, "invalid", "the chain loops");
    }

    private static Trust validate(List<X509Certificate> path, Set<TrustAnchor> anchors, Instant now) {
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(validityInstant(path, now)));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return new Trust(true, "trusted", "the chain leads to the trusted CA '"
                    + name(path.getLast().getIssuerX500Principal()) + "'");
        } catch (CertPathValidatorException e) {
            String where = e.getIndex() >= 0 && e.getIndex() < path.size()
                    ? " at #" + e.getIndex() + " '" + name(path.get(e.getIndex()).getSubjectX500Principal()) + "'" : "";
            String reason = e.getReason().toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');   // NO_TRUST_ANCHOR: words
            return new Trust(false, "invalid", "PKIX validation failed" + where + ": " + reason + " (" + Failures.text(e) + ")");
        } catch (GeneralSecurityException e) {
            return new Trust(false, "invalid", "PKIX validation could not run: " + Failures.text(e));
        }
    }

    /** Now, or else a moment inside every certificate's validity, so that PKIX judges trust and not dates. */
    private static Instant validityInstant(List<X509Certificate> path, Instant now) {
        Instant from = path.stream().map(c -> c.getNotBefore().toInstant()).max(Instant::compareTo).orElse(now);
        Instant to = path.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElse(now);
        return !now.isBefore(from) && !now.isAfter(to) || from.isAfter(to) ? now : from;
    }

    /** The JDK's default trust store (the system's CA certificates). */
    static Set<TrustAnchor> systemAnchors() throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        Set<TrustAnchor> out = new HashSet<>();
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    out.add(new TrustAnchor(c, null));
                }
            }
        }
        return out;
    }

    private static boolean issues(X509Certificate issuer, X509Certificate cert) {
        if (!issuer.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
            return false;
        }
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String name(X500Principal p) {
        return p.getName(X500Principal.RFC2253);
    }

    static String key(PublicKey k) {
        return switch (k) {
            case RSAPublicKey r -> "RSA " + r.getModulus().bitLength();
            case ECPublicKey e -> "EC " + e.getParams().getOrder().bitLength();
            case EdECPublicKey ed -> ed.getParams().getName();
            case DSAPublicKey d -> "DSA " + d.getParams().getP().bitLength();
            default -> k.getAlgorithm();
        };
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.ofLiteral(text.startsWith("[") ? text.substring(1, text.length() - 1) : text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
