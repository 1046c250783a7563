package dev.reach.plugins.postgres;

import dev.reach.spi.Judgement;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.LoopbackServer;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.reach.testkit.ObservationAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** postgres.startup without a PostgreSQL: the pure classifier, the wire codec, and real loopback listeners that are not PostgreSQL. */
class PostgresStartupProbeTest {
    private static final String TARGET = "127.0.0.1:5432";
    private static final String WHO = "user=app database=orders";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private final PostgresStartupProbe probe = new PostgresStartupProbe();

    // the codec

    @Test
    void startupMessageIsLengthProtocolThenPairs() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("user", "app");
        p.put("database", "orders");
        byte[] b = PgWire.startup(p);
        ByteBuffer buf = ByteBuffer.wrap(b);
        assertThat(buf.getInt()).isEqualTo(b.length);
        assertThat(buf.getInt()).isEqualTo(3 << 16);
        assertThat(new String(b, 8, b.length - 8, StandardCharsets.UTF_8)).isEqualTo("user\0app\0database\0orders\0\0");
    }

    @Test
    void saslRequestListsItsMechanisms() throws IOException {
        byte[] body = bytes(b -> {
            b.writeBytes(new byte[] {0, 0, 0, 10});
            b.writeBytes("SCRAM-SHA-256\0SCRAM-SHA-256-PLUS\0\0".getBytes(StandardCharsets.US_ASCII));
        });
        var m = PgWire.read(new ByteArrayInputStream(message('R', body)), true);
        assertThat(m).isEqualTo(new PgWire.Message.Auth(10, List.of("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS")));
        assertThat(((PgWire.Message.Auth) m).method()).isEqualTo("SASL (SCRAM-SHA-256, SCRAM-SHA-256-PLUS)");
    }

    @Test
    void errorResponseFieldsAreDecoded() throws IOException {
        var m = (PgWire.Message.Notice) PgWire.read(new ByteArrayInputStream(message('E', error("FATAL", "53300",
                "sorry, too many clients already"))), true);
        assertThat(m.error()).isTrue();
        assertThat(m.severity()).isEqualTo("FATAL");
        assertThat(m.code()).isEqualTo("53300");
        assertThat(m.message()).isEqualTo("sorry, too many clients already");
    }

    @Test
    void protocolTwoErrorIsReadAsText() throws IOException {
        var m = (PgWire.Message.Notice) PgWire.read(new ByteArrayInputStream(
                "EFATAL:  unsupported frontend protocol 3.0\n".getBytes(StandardCharsets.US_ASCII)), true);
        assertThat(m.severity()).isEqualTo("FATAL");
        assertThat(m.message()).isEqualTo("FATAL:  unsupported frontend protocol 3.0");
    }

    @Test
    void sshBannerStartingWithSIsForeignNotAParameterStatus() throws IOException {
        var m = PgWire.read(new ByteArrayInputStream("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII)), true);
        assertThat(m).isInstanceOf(PgWire.Message.Foreign.class);
        assertThat(PgWire.show(((PgWire.Message.Foreign) m).head())).isEqualTo("\"SSH-2.0-OpenSSH_9.2\"");
    }

    @Test
    void closeInTheMiddleOfAMessageIsAnEndOfStream() {
        assertThatThrownBy(() -> PgWire.read(new ByteArrayInputStream(new byte[] {'R', 0, 0, 0, 12, 0, 0}), true))
                .isInstanceOf(EOFException.class);
    }

    // classify: pure

    @Test
    void authenticationRequestIsOkAndNamesTheMethod() {
        var c = classify(new PgWire.Message.Auth(5, List.of()));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.outcome()).isEqualTo("auth-requested");
        assertThat(c.summary()).isEqualTo(TARGET + " is PostgreSQL: it asks app for an MD5 password authentication");
    }

    @Test
    void pgHbaRejectionIsAPostgresErrorWithTheFix() {
        var c = classify(new PgWire.Message.Notice(true, Map.of('S', "FATAL", 'C', "28000",
                'M', "no pg_hba.conf entry for host \"198.18.0.1\", user \"app\", database \"orders\", no encryption")));
        assertThat(c.cause()).isEqualTo("postgres.error");
        assertThat(c.outcome()).isEqualTo("rejected");
        assertThat(c.summary()).contains("rejects this client (FATAL 28000): no pg_hba.conf entry").contains("add a pg_hba.conf line");
        assertThat(c.evidence()).singleElement().asString().startsWith("StartupMessage " + WHO + " -> ErrorResponse FATAL 28000: no pg_hba.conf entry");
    }

    @Test
    void startingUpIsNotReady() {
        var c = classify(new PgWire.Message.Notice(true, Map.of('S', "FATAL", 'C', "57P03", 'M', "the database system is starting up")));
        assertThat(c.outcome()).isEqualTo("not-ready");
    }

    @Test
    void tlsRecordIsNotPostgresAndSaysSo() {
        var c = classify(new PgWire.Message.Foreign(new byte[] {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46}));
        assertThat(c.cause()).isEqualTo("postgres.not-postgres");
        assertThat(c.summary()).contains("expects TLS");
    }

    @Test
    void refusedConnectIsTcpRefused() {
        var c = PostgresStartupProbe.classify(new PostgresStartupProbe.Outcome.ConnectFailed(new ConnectException("Connection refused")),
                TARGET, WHO, TIMEOUT);
        assertThat(c.cause()).isEqualTo("tcp.refused");
        assertThat(c.summary()).contains("listen_addresses");
    }

    // real loopback listeners that are not PostgreSQL

    @Test
    void httpListenerIsNotPostgres() {
        try (LoopbackServer http = LoopbackServer.answering("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + http.port(), "user=app");
            assertThat(o).isFail().hasCause("postgres.not-postgres").hasFact("outcome", "not-postgres")
                    .summaryContains("\"HTTP/1.1 400 Bad Request\" (an HTTP server)");
            byte[] got = http.received();
            assertThat(ByteBuffer.wrap(got).getInt(0)).as("length").isEqualTo(got.length);
            assertThat(ByteBuffer.wrap(got).getInt(4)).as("protocol").isEqualTo(PgWire.PROTOCOL_3_0);
            assertThat(http.receivedText()).contains("user\0app\0database\0app\0application_name\0reach\0");
        }
    }

    @Test
    void sshGreetingIsNotPostgres() {
        try (LoopbackServer ssh = LoopbackServer.greeting("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + ssh.port());
            assertThat(o).isFail().hasCause("postgres.not-postgres").summaryContains("(an SSH server)");
        }
    }

    @Test
    void silentListenerIsNoResponse() {
        try (LoopbackServer silent = LoopbackServer.silent()) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + silent.port(), "timeout=300ms");
            assertThat(o).isFail().hasCause("tcp.no-response").summaryContains("within 300ms");
        }
    }

    @Test
    void listenerThatClosesAtOnceIsTcpReset() {
        try (LoopbackServer closer = LoopbackServer.closing()) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + closer.port());
            assertThat(o).isFail().hasCause("tcp.reset").hasFact("outcome", "closed");
        }
    }

    @Test
    void closedPortIsRefused() {
        Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + LoopbackServer.closedPort());
        assertThat(o).isFail().hasCause("tcp.refused");
    }

    @Test
    void specDefaultsArePort5432AndUserPostgres() {
        assertThat(PostgresStartupProbe.SPEC.param("port").orElseThrow().defaultValue()).contains(5432);
        assertThat(PostgresStartupProbe.SPEC.param("user").orElseThrow().defaultValue()).contains("postgres");
        assertThat(PostgresStartupProbe.SPEC.examples()).allMatch(e -> e.startsWith("reach probe postgres.startup "));
    }

    private static Judgement classify(PgWire.Message m) {
        return PostgresStartupProbe.classify(new PostgresStartupProbe.Outcome.Answered(m, Duration.ofMillis(1), null), TARGET, WHO, TIMEOUT);
    }

    private static byte[] error(String severity, String code, String message) {
        return bytes(b -> {
            for (String f : new String[] {"S" + severity, "V" + severity, "C" + code, "M" + message}) {
                b.writeBytes(f.getBytes(StandardCharsets.UTF_8));
                b.write(0);
            }
            b.write(0);
        });
    }

    private static byte[] message(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }

    private static byte[] bytes(java.util.function.Consumer<ByteArrayOutputStream> writer) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        writer.accept(b);
        return b.toByteArray();
    }
}
