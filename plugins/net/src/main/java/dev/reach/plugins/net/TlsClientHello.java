package dev.reach.plugins.net;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A TLS ClientHello written by hand, to ask "does TLS answer on this port?" without building an SSLContext (the
 * JDK's costs 100+ ms cold) and with a padding extension (RFC 7685) that grows it to any size, so one full-size
 * segment can carry it. It offers TLS 1.3 and 1.2 with the usual AEAD and CBC suites, x25519/P-256/P-384 and a
 * random x25519 key share: enough for a server to answer ServerHello (or HelloRetryRequest, or an alert), which
 * is all this is for; tls.handshake does the real handshake and judges the certificates.
 */
final class TlsClientHello {
    private static final int[] SUITES = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
            0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    private static final int[] GROUPS = {0x001d, 0x0017, 0x0018};
    private static final int[] SIGNATURES = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201};
    /** Record header (5) + handshake header (4) + the padding extension's own header (4). */
    private static final int FRAME = 13;

    private TlsClientHello() {
    }

    /**
     * The ClientHello as one TLS record.
     *
     * @param sni  the server name to send, or null (an address is never sent as SNI)
     * @param size the whole record's size in bytes, grown with padding; 0 or smaller than the bare hello: no padding
     */
    static byte[] build(String sni, int size) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, 0x0303);                                  // legacy_version TLS 1.2
        body.writeBytes(random(32));
        byte[] session = random(32);                        // a session id, as TLS 1.3 middlebox compatibility asks
        body.write(session.length);
        body.writeBytes(session);
        u16(body, SUITES.length * 2);
        for (int s : SUITES) u16(body, s);
        body.write(1);
        body.write(0);                                      // compression: null only

        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        if (sni != null && !sni.isEmpty() && !sni.contains(":") && !sni.matches("[0-9.]+")) {
            byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
            extension(ext, 0x0000, concat(u16(name.length + 3), new byte[] {0}, u16(name.length), name));
        }
        extension(ext, 0x000a, concat(u16(GROUPS.length * 2), u16s(GROUPS)));
        extension(ext, 0x000b, new byte[] {1, 0});           // ec_point_formats: uncompressed
        extension(ext, 0x000d, concat(u16(SIGNATURES.length * 2), u16s(SIGNATURES)));
        extension(ext, 0x002b, new byte[] {4, 3, 4, 3, 3});  // supported_versions: 1.3, 1.2
        extension(ext, 0x002d, new byte[] {1, 1});           // psk_key_exchange_modes: psk_dhe_ke
        extension(ext, 0x0033, concat(u16(36), u16(0x001d), u16(32), random(32)));  // key_share: x25519
        int bare = FRAME - 4 + body.size() + 2 + ext.size();
        if (size >= bare + 4) {
            extension(ext, 0x0015, new byte[size - bare - 4]);
        }
        u16(body, ext.size());
        body.writeBytes(ext.toByteArray());

        byte[] hello = body.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(0x16);                                 // handshake
        u16(record, 0x0301);                                // record version, as clients send it
        u16(record, hello.length + 4);
        record.write(1);                                    // client_hello
        record.write(hello.length >>> 16);
        u16(record, hello.length & 0xffff);
        record.writeBytes(hello);
        return record.toByteArray();
    }

    /** True when the bytes open a TLS record a server sends first: handshake (22) or alert (21), version 3.x. */
    static boolean isTls(byte[] got) {
        return got.length >= 3 && (got[0] == 0x16 || got[0] == 0x15) && got[1] == 3 && (got[2] & 0xff) <= 4;
    }

    /** What a server's first TLS record says, for the evidence: "ServerHello (TLS record 22)", "alert handshake_failure". */
    static String describe(byte[] got) {
        if (got.length >= 6 && got[0] == 0x16) {
            return switch (got[5]) {
                case 2 -> "a TLS ServerHello";
                default -> "a TLS handshake record (type " + (got[5] & 0xff) + ")";
            };
        }
        if (got.length >= 7 && got[0] == 0x15) {
            return "a TLS alert " + switch (got[6] & 0xff) {
                case 40 -> "handshake_failure";
                case 70 -> "protocol_version";
                case 80 -> "internal_error";
                case 112 -> "unrecognized_name";
                default -> "(description " + (got[6] & 0xff) + ")";
            };
        }
        return "a TLS record";
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v & 0xff);
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    private static byte[] u16s(int[] values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int v : values) u16(out, v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
