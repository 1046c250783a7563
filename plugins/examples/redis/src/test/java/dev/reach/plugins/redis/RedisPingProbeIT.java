package dev.reach.plugins.redis;

import dev.reach.spi.Observation;
import dev.reach.testkit.Daemon;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;

import static dev.reach.testkit.ObservationAssert.assertThat;

/**
 * redis.ping against real redis-server processes on loopback (Debian package redis-server): one open, one
 * started with --requirepass. Skipped with the reason when redis-server is not installed.
 */
class RedisPingProbeIT {
    private static final String PASSWORD = "s3cret-for-tests";
    private static Daemon open;
    private static Daemon locked;
    private static int openPort;
    private static int lockedPort;
    private static Path dir;

    @BeforeAll
    static void startServers() throws Exception {
        Path redis = Daemon.assumeTool("redis-server");
        dir = Files.createTempDirectory("reach-redis-it");
        openPort = Daemon.freePort();
        open = start(redis, openPort);
        lockedPort = Daemon.freePort();
        locked = start(redis, lockedPort, "--requirepass", PASSWORD);
    }

    private static Daemon start(Path redis, int port, String... more) {
        String[] base = {redis.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()};
        String[] cmd = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(more)).toArray(String[]::new);
        Daemon d = Daemon.start(cmd);
        try {
            return d.awaitPort(port, Duration.ofSeconds(15));
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (open != null) open.close();
        if (locked != null) locked.close();
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void realRedisAnswersPong() {
        Observation o = ProbeHarness.run(new RedisPingProbe(), "host=127.0.0.1", "port=" + openPort);
        assertThat(o).isOk().hasNoCause().hasFact("outcome", "pong").hasFact("reply", "+PONG").hasFact("ping_ms")
                .summaryContains("127.0.0.1:" + openPort + " is Redis: PING answered PONG in ");
    }

    @Test
    void redisWithAPasswordSaysNoauthWhenNoneIsGiven() {
        Observation o = ProbeHarness.run(new RedisPingProbe(), "host=127.0.0.1", "port=" + lockedPort);
        assertThat(o).isFail().hasCause("redis.error").hasFact("outcome", "auth-required").hasFact("error_code", "NOAUTH")
                .hasEvidenceContaining("PING -> -NOAUTH Authentication required.");
    }

    @Test
    void wrongPasswordIsWrongpass() {
        Observation o = ProbeHarness.run(new RedisPingProbe(), "host=127.0.0.1", "port=" + lockedPort, "password=not-it");
        assertThat(o).isFail().hasCause("redis.error").hasFact("outcome", "auth-failed").hasFact("error_code", "WRONGPASS")
                .hasEvidenceContaining("AUTH (password hidden) -> -WRONGPASS");
    }

    @Test
    void rightPasswordAuthenticatesThenPongs() {
        Observation o = ProbeHarness.run(new RedisPingProbe(), "host=127.0.0.1", "port=" + lockedPort, "password=" + PASSWORD);
        assertThat(o).isOk().hasFact("outcome", "pong").hasEvidenceContaining("AUTH (password hidden) -> +OK");
    }

    @Test
    void wrongUserIsWrongpass() {
        Observation o = ProbeHarness.run(new RedisPingProbe(), "host=127.0.0.1", "port=" + lockedPort, "user=nobody",
                "password=" + PASSWORD);
        assertThat(o).isFail().hasCause("redis.error").hasFact("outcome", "auth-failed");
    }

    @Test
    void passwordForARedisWithoutOneIsReported() {
        Observation o = ProbeHarness.run(new RedisPingProbe(), "host=127.0.0.1", "port=" + openPort, "password=x");
        assertThat(o).isFail().hasCause("redis.error").hasFact("outcome", "auth-not-configured").summaryContains("drop password=");
    }
}
