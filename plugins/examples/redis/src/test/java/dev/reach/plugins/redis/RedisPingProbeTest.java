package dev.reach.plugins.redis;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.Judgement;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.LoopbackServer;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.reach.testkit.ObservationAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** redis.ping without a Redis: the pure classifier, the RESP codec, and real loopback listeners that are not Redis. */
class RedisPingProbeTest {
    private static final String TARGET = "127.0.0.1:6379";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private final RedisPingProbe probe = new RedisPingProbe();

    // classify: pure

    @Test
    void pongIsOk() {
        var c = answered("PING", "+PONG\r\n");
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).startsWith(TARGET + " is Redis: PING answered PONG in ");
    }

    @Test
    void noauthIsARedisErrorAskingForAPassword() {
        var c = answered("PING", "-NOAUTH Authentication required.\r\n");
        assertThat(c.cause()).isEqualTo("redis.error");
        assertThat(c.outcome()).isEqualTo("auth-required");
        assertThat(c.summary()).contains("requires a password (NOAUTH)").contains("give password=");
        assertThat(c.evidence()).containsExactly("PING -> -NOAUTH Authentication required.");
    }

    @Test
    void wrongpassIsAuthFailedAndHidesThePassword() {
        var c = answered("AUTH", "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        assertThat(c.cause()).isEqualTo("redis.error");
        assertThat(c.outcome()).isEqualTo("auth-failed");
        assertThat(c.evidence()).singleElement().asString().startsWith("AUTH (password hidden) -> -WRONGPASS");
    }

    @Test
    void protectedModeIsDenied() {
        var c = answered("PING", "-DENIED Redis is running in protected mode because protected mode is enabled\r\n");
        assertThat(c.outcome()).isEqualTo("denied");
        assertThat(c.summary()).contains("protected mode");
    }

    @Test
    void httpAnswerIsNotRedisAndNamedAsHttp() {
        var c = answered("PING", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        assertThat(c.cause()).isEqualTo("redis.not-redis");
        assertThat(c.summary()).endsWith("it answered PING with \"HTTP/1.1 400 Bad Request\" (an HTTP server)");
    }

    @Test
    void bareHtmlAnswerIsNotRedisAndNamedAsHttp() {
        // python3 -m http.server takes "*1" for an HTTP/0.9 request line and answers with a bare HTML page
        var c = answered("PING", "<!DOCTYPE HTML>\n<html lang=\"en\">\n");
        assertThat(c.summary()).endsWith("it answered PING with \"<!DOCTYPE HTML>\" (an HTML page: an HTTP server)");
    }

    @Test
    void tlsAlertIsNotRedisAndSaysTheportExpectsTls() {
        var c = answered("PING", new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32});
        assertThat(c.cause()).isEqualTo("redis.not-redis");
        assertThat(c.summary()).contains("bytes 15 03 03 00 02 02 32").contains("expects TLS");
    }

    @Test
    void respThatIsNotPongIsNotRedis() {
        var c = answered("PING", ":42\r\n");
        assertThat(c.cause()).isEqualTo("redis.not-redis");
        assertThat(c.summary()).contains("(:42)");
    }

    @Test
    void refusedConnectIsTcpRefused() {
        var c = RedisPingProbe.classify(new RedisPingProbe.Outcome.ConnectFailed(new ConnectException("Connection refused")),
                TARGET, TIMEOUT);
        assertThat(c.cause()).isEqualTo("tcp.refused");
        assertThat(c.evidence()).containsExactly("connect " + TARGET + " -> Connection refused (RST)");
    }

    @Test
    void silenceAfterTheHandshakeIsNoResponse() {
        var c = RedisPingProbe.classify(new RedisPingProbe.Outcome.Silent("PING", Duration.ofMillis(300)), TARGET, TIMEOUT);
        assertThat(c.cause()).isEqualTo("tcp.no-response");
        assertThat(c.summary()).contains("did not answer PING within 300ms");
    }

    // the codec

    @Test
    void commandsAreArraysOfBulkStrings() {
        assertThat(new String(Resp.command("AUTH", "bob", "pässword"), StandardCharsets.UTF_8))
                .isEqualTo("*3\r\n$4\r\nAUTH\r\n$3\r\nbob\r\n$9\r\npässword\r\n");
    }

    @Test
    void subscribeModePongIsAnArray() throws IOException {
        var r = Resp.read(new ByteArrayInputStream("*2\r\n$4\r\npong\r\n$0\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(r).isEqualTo(new Resp.Reply.Array(List.of(new Resp.Reply.Bulk("pong"), new Resp.Reply.Bulk(""))));
    }

    @Test
    void closeInTheMiddleOfAReplyIsClosed() {
        assertThatThrownBy(() -> Resp.read(new ByteArrayInputStream("$10\r\nabc".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(Resp.Closed.class);
    }

    // real loopback listeners that are not Redis

    @Test
    void httpListenerIsNotRedisAndReceivedAPing() {
        try (LoopbackServer http = LoopbackServer.answering("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + http.port());
            assertThat(o).isFail().hasCause("redis.not-redis").hasFact("outcome", "not-redis")
                    .hasFact("reply", "\"HTTP/1.1 400 Bad Request\"").hasFact("connect_ms");
            assertThat(http.receivedText()).isEqualTo("*1\r\n$4\r\nPING\r\n");
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
    void silentListenerIsNoResponseWithinTheTimeout() {
        try (LoopbackServer silent = LoopbackServer.silent()) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + silent.port(), "timeout=300ms");
            assertThat(o).isFail().hasCause("tcp.no-response").summaryContains("within 300ms");
            assertThat(o.duration()).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void closedPortIsRefused() {
        Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + LoopbackServer.closedPort());
        assertThat(o).isFail().hasCause("tcp.refused").hasFact("outcome", "refused");
    }

    @Test
    void passwordIsNeverPrinted() {
        try (LoopbackServer http = LoopbackServer.answering("-WRONGPASS invalid username-password pair\r\n")) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + http.port(), "password=hunter2");
            assertThat(o).hasCause("redis.error").hasFact("error_code", "WRONGPASS");
            assertThat(printed(o)).doesNotContain("hunter2");
            assertThat(http.receivedText()).contains("hunter2"); // it did go to the server
        }
    }

    @Test
    void userWithoutPasswordIsAnErrorNotAFault() {
        Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "user=bob");
        assertThat(o).isError().summaryContains("user=bob needs password=");
    }

    @Test
    void specDefaultsToPort6379AndShowsExamples() {
        assertThat(RedisPingProbe.SPEC.param("port").orElseThrow().defaultValue()).contains(6379);
        assertThat(RedisPingProbe.SPEC.examples()).allMatch(e -> e.startsWith("reach probe redis.ping "));
        var binding = ParamBinder.bind(RedisPingProbe.SPEC, ProbeHarness.parse("host=127.0.0.1", "pasword=x"));
        assertThat(binding.errors()).extracting(ParamBinder.ParamError::message)
                .anyMatch(m -> m.contains("unknown parameter 'pasword' for redis.ping; did you mean 'password'?"));
    }

    private static Judgement answered(String step, String reply) {
        return answered(step, reply.getBytes(StandardCharsets.UTF_8));
    }

    private static Judgement answered(String step, byte[] reply) {
        try {
            var r = Resp.read(new ByteArrayInputStream(reply));
            return RedisPingProbe.classify(new RedisPingProbe.Outcome.Answered(step, r, Duration.ofNanos(180_000)), TARGET, TIMEOUT);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Everything an observation would print. */
    private static String printed(Observation o) {
        return o + " " + o.facts() + " " + o.evidence();
    }
}
