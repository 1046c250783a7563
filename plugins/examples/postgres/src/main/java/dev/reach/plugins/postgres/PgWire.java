package dev.reach.plugins.postgres;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The start of the PostgreSQL frontend/backend protocol (version 3.0): the StartupMessage out, then the
 * backend's messages in, as far as authentication. Bytes that cannot be a backend message come back as
 * {@link Message.Foreign}, so the probe can say what answered instead.
 */
final class PgWire {
    /** Protocol 3.0 as the StartupMessage writes it: major 3 in the high 16 bits. */
    static final int PROTOCOL_3_0 = 196608;
    /** Longest message read; the messages before authentication are short. */
    static final int MAX_LENGTH = 64 * 1024;

    private PgWire() {
    }

    /** One backend message, as far as a probe cares. */
    sealed interface Message {
        /** 'R': authentication request; {@code code} 0 means no authentication is needed. */
        record Auth(int code, List<String> mechanisms) implements Message {
            /** What the server asks for, as people name it. */
            String method() {
                return switch (code) {
                    case 0 -> "none (trust)";
                    case 2 -> "Kerberos V5";
                    case 3 -> "a cleartext password";
                    case 5 -> "an MD5 password";
                    case 7 -> "GSSAPI";
                    case 9 -> "SSPI";
                    case 10 -> "SASL (" + String.join(", ", mechanisms) + ")";
                    default -> "authentication method " + code;
                };
            }
        }

        /** 'E' or 'N': the fields by their one-letter codes (S severity, C SQLSTATE, M message, D detail, H hint). */
        record Notice(boolean error, Map<Character, String> fields) implements Message {
            String severity() {
                return fields.getOrDefault('V', fields.getOrDefault('S', "ERROR"));
            }

            String code() {
                return fields.getOrDefault('C', "");
            }

            String message() {
                return fields.getOrDefault('M', "");
            }
        }

        /** 'S': a run-time parameter the server reports after authentication (server_version, ...). */
        record ParameterStatus(String name, String value) implements Message { }

        /** 'Z': the server is ready for a query: the startup is complete. */
        record Ready() implements Message { }

        /** Another well-formed message ('K' BackendKeyData, 'v' NegotiateProtocolVersion, ...). */
        record Other(char type) implements Message { }

        /** Not a backend message: the first bytes that came instead. */
        record Foreign(byte[] head) implements Message { }
    }

    /** The StartupMessage: length, protocol 3.0, then name/value pairs, then a zero byte. */
    static byte[] startup(Map<String, String> parameters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        parameters.forEach((k, v) -> {
            cstring(body, k);
            cstring(body, v);
        });
        body.write(0);
        ByteBuffer b = ByteBuffer.allocate(8 + body.size());
        b.putInt(8 + body.size()).putInt(PROTOCOL_3_0).put(body.toByteArray());
        return b.array();
    }

    /** The Terminate message: a polite goodbye. */
    static byte[] terminate() {
        return new byte[] {'X', 0, 0, 0, 4};
    }

    /**
     * Reads one backend message. End of stream before the first byte throws {@link EOFException}; a read
     * timeout propagates.
     *
     * @param first true for the first message, where foreign bytes are expected and kept
     */
    static Message read(InputStream stream, boolean first) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int type = in.read();
        if (type < 0) {
            throw new EOFException("closed the connection without answering");
        }
        if ("REvNSKZ".indexOf(type) < 0) {
            return new Message.Foreign(head(type, in));
        }
        byte[] lengthBytes = in.readNBytes(4);
        int length = lengthBytes.length == 4 ? ByteBuffer.wrap(lengthBytes).getInt() : -1;
        if (length < 4 || length > MAX_LENGTH) {
            if (type == 'E' && lengthBytes.length == 4 && printable(lengthBytes)) {
                // a protocol-2 server answers the 3.0 startup with 'E' and a bare text: "FATAL: unsupported ..."
                String text = new String(concat(lengthBytes, head(-1, in)), StandardCharsets.UTF_8);
                return new Message.Notice(true, Map.of('S', "FATAL", 'M', text.strip()));
            }
            byte[] bytes = new byte[1 + lengthBytes.length];
            bytes[0] = (byte) type;
            System.arraycopy(lengthBytes, 0, bytes, 1, lengthBytes.length);
            return new Message.Foreign(first ? concat(bytes, head(-1, in)) : bytes);
        }
        byte[] body = in.readNBytes(length - 4);
        if (body.length < length - 4) {
            throw new EOFException("closed the connection in the middle of a message");
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        return switch (type) {
            case 'R' -> auth(b);
            case 'E', 'N' -> new Message.Notice(type == 'E', fields(b));
            case 'S' -> new Message.ParameterStatus(cstring(b), cstring(b));
            case 'Z' -> new Message.Ready();
            default -> new Message.Other((char) type);
        };
    }

    private static Message.Auth auth(ByteBuffer b) {
        int code = b.remaining() >= 4 ? b.getInt() : -1;
        List<String> mechanisms = new ArrayList<>();
        if (code == 10) {
            for (int i = 0; i < 16 && b.hasRemaining(); i++) {
                String m = cstring(b);
                if (m.isEmpty()) {
                    break;
                }
                mechanisms.add(m);
            }
        }
        return new Message.Auth(code, List.copyOf(mechanisms));
    }

    private static Map<Character, String> fields(ByteBuffer b) {
        Map<Character, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < 32 && b.hasRemaining(); i++) {
            byte code = b.get();
            if (code == 0) {
                break;
            }
            fields.put((char) code, cstring(b));
        }
        return fields;
    }

    private static String cstring(ByteBuffer b) {
        int start = b.position();
        int end = start;
        while (b.hasRemaining() && b.get() != 0) {
            end++;
        }
        return new String(b.array(), start, end - start, StandardCharsets.UTF_8);
    }

    private static void cstring(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    /** The first byte (if any) and what already arrived after it, up to a line end or 256 bytes: never waits. */
    private static byte[] head(int first, InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (first >= 0) {
            out.write(first);
        }
        try {
            for (int i = 0; i < 255 && in.available() > 0; i++) {
                int b = in.read();
                if (b < 0 || b == '\n') {
                    break;
                }
                out.write(b);
            }
        } catch (IOException e) {
            // a reset after foreign bytes: what came is enough to say what it was
        }
        return out.toByteArray();
    }

    private static boolean printable(byte[] bytes) {
        for (byte x : bytes) {
            if (x < 0x20 || x > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Foreign bytes as a person reads them: text when printable, else hex. */
    static String show(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1).strip();
        boolean readable = !text.isEmpty() && text.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\t');
        if (readable) {
            return '"' + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + '"';
        }
        int n = Math.min(head.length, 16);
        return "bytes " + java.util.HexFormat.ofDelimiter(" ").formatHex(head, 0, n) + (head.length > n ? " ..." : "");
    }
}
