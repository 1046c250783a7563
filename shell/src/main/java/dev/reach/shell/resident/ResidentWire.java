package dev.reach.shell.resident;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resident reach's wire, both sides ({@value #PROTOCOL}): the client sends NUL-terminated fields,
 * {@code key=value} then {@code argc=N} and the N arguments ({@link ClientRequest}); the resident answers with frames
 * of one type byte, a 4-byte big-endian length and the payload ({@link Frames}): 1 standard output, 2 standard error,
 * 3 exit code (4 bytes), 4 declined (a reason, kept quiet), 5 declined (a reason the client prints), 6 started (from
 * then on the client never runs the command itself, even if the resident dies before the exit code). The launcher's
 * client is {@code resident-client.pl}; {@link #exchange} is the same client in Java, for pings and tests.
 */
final class ResidentWire {
    /** Closes {@code ch} after {@code timeout} unless the returned flag is set by then (the request was read). */
    static java.util.concurrent.atomic.AtomicBoolean hangUpUnlessRead(java.nio.channels.SocketChannel ch, java.time.Duration timeout) {
        var read = new java.util.concurrent.atomic.AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout);
                if (!read.get()) ch.close();
            } catch (InterruptedException | IOException e) {
                // gone
            }
        });
        return read;
    }

    static final String PROTOCOL = "reach-resident/1";
    static final int OUT = 1, ERR = 2, EXIT = 3, DECLINE = 4, DECLINE_LOUD = 5, STARTED = 6;
    static final int MAX_REQUEST = 1 << 20;

    private ResidentWire() {
    }

    /** Whether a resident answers on this socket (a ping, within a second). */
    static boolean answers(Path socket) {
        return ping(socket) != null;
    }

    /** The resident's status text, or null when none answers within 10 seconds. */
    static String ping(Path socket) {
        var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> pingNow(socket), r -> Thread.ofPlatform().daemon().start(r));
        try {
            return answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String pingNow(Path socket) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Integer code = exchange(socket, Map.of("protocol", PROTOCOL, "control", "ping"), List.of(), text);
        return code == null ? null : text.toString(StandardCharsets.UTF_8);
    }

    /**
     * One request, the way the launcher's client makes it: its standard output goes to {@code out}, the rest
     * is dropped. Returns the exit code, or null when it was declined or the connection failed.
     */
    static Integer exchange(Path socket, Map<String, String> fields, List<String> args, OutputStream out) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            fields.forEach((k, v) -> req.writeBytes((k + "=" + v + "\0").getBytes(StandardCharsets.UTF_8)));
            req.writeBytes(("argc=" + args.size() + "\0").getBytes(StandardCharsets.UTF_8));
            args.forEach(a -> req.writeBytes((a + "\0").getBytes(StandardCharsets.UTF_8)));
            ch.write(ByteBuffer.wrap(req.toByteArray()));
            InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch));
            for (int frames = 0; frames < 100_000; frames++) {
                byte[] head = in.readNBytes(5);
                if (head.length < 5) return null;
                int len = ByteBuffer.wrap(head, 1, 4).getInt();
                if (len < 0 || len > MAX_REQUEST) return null;
                byte[] body = in.readNBytes(len);
                switch (head[0]) {
                    case OUT -> out.write(body);
                    case EXIT -> {
                        return ByteBuffer.wrap(body).getInt();
                    }
                    case DECLINE, DECLINE_LOUD -> {
                        return null;
                    }
                    default -> { }
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A client's request: its fields and the command's arguments. */
    record ClientRequest(Map<String, String> fields, List<String> args) {
        /** Reads NUL-terminated fields up to {@code argc=N}, then N arguments. */
        static ClientRequest read(InputStream in) throws IOException {
            Map<String, String> fields = new LinkedHashMap<>();
            int total = 0;
            while (true) {
                String f = field(in);
                total += f.length();
                if (total > MAX_REQUEST) throw new IOException("longer than " + MAX_REQUEST + " bytes");
                int eq = f.indexOf('=');
                if (eq < 0) throw new IOException("a field without '=': " + f);
                String k = f.substring(0, eq);
                if (k.equals("argc")) {
                    int n;
                    try {
                        n = Integer.parseInt(f.substring(eq + 1));
                    } catch (NumberFormatException e) {
                        throw new IOException("argc is not a number: " + f);
                    }
                    if (n < 0 || n > 10_000) throw new IOException("argc out of range: " + n);
                    List<String> args = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        String a = field(in);
                        total += a.length();
                        if (total > MAX_REQUEST) throw new IOException("longer than " + MAX_REQUEST + " bytes");
                        args.add(a);
                    }
                    return new ClientRequest(fields, List.copyOf(args));
                }
                fields.put(k, f.substring(eq + 1));
            }
        }

        private static String field(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i <= MAX_REQUEST; i++) {
                int c = in.read();
                if (c < 0) throw new IOException("the request ended early");
                if (c == 0) return b.toString(StandardCharsets.UTF_8);
                b.write(c);
            }
            throw new IOException("a field longer than " + MAX_REQUEST + " bytes");
        }

        boolean flag(String key) {
            return "1".equals(fields.get(key));
        }
    }

    /** Frames on the client's connection; each write is one frame, sent whole. */
    static final class Frames {
        private final OutputStream raw;

        Frames(OutputStream raw) {
            this.raw = raw;
        }

        synchronized void send(int type, byte[] payload, int off, int len) throws IOException {
            byte[] frame = new byte[5 + len];
            frame[0] = (byte) type;
            ByteBuffer.wrap(frame, 1, 4).putInt(len);
            System.arraycopy(payload, off, frame, 5, len);
            raw.write(frame);
            raw.flush();
        }

        void send(int type, String text) throws IOException {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            send(type, b, 0, b.length);
        }

        void exit(int code) throws IOException {
            send(EXIT, ByteBuffer.allocate(4).putInt(code).array(), 0, 4);
        }

        /** A stream whose writes go out as frames of this type (buffered until flushed by the PrintWriter above it). */
        OutputStream stream(int type) {
            return new OutputStream() {
                private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

                @Override
                public void write(int b) {
                    buffer.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    buffer.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    if (buffer.size() > 0) {
                        byte[] b = buffer.toByteArray();
                        buffer.reset();
                        send(type, b, 0, b.length);
                    }
                }
            };
        }
    }
}
