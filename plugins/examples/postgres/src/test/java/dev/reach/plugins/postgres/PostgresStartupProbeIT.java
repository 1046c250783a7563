package dev.reach.plugins.postgres;

import dev.reach.spi.Observation;
import dev.reach.testkit.Daemon;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.reach.testkit.ObservationAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * postgres.startup against a real PostgreSQL (Debian package postgresql) started on 127.0.0.1 in a temporary
 * data directory, as the user postgres when the test runs as root (PostgreSQL refuses root). pg_hba.conf:
 * user nobody rejected, database template1 trusted, nosuchdb trusted (but missing), everything else SCRAM.
 */
class PostgresStartupProbeIT {
    private static final String BIN = "/usr/lib/postgresql/*/bin";
    private static Path dir;
    private static Daemon server;
    private static int port;

    @BeforeAll
    static void startPostgres() throws Exception {
        Path postgres = Daemon.assumeTool("postgres", BIN);
        Path initdb = Daemon.assumeTool("initdb", BIN);
        List<String> asUser = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Path setpriv = Daemon.assumeTool("setpriv");
            try {
                FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            } catch (UserPrincipalNotFoundException e) {
                Assumptions.abort("skipped: running as root and there is no user 'postgres' to run PostgreSQL as (it refuses root)");
            }
            // setpriv execs: the PID started is postgres itself, stopped by that PID
            asUser.addAll(List.of(setpriv.toString(), "--reuid=postgres", "--regid=postgres", "--init-groups"));
        }
        dir = Files.createTempDirectory("reach-pg-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = dir.resolve("data");
        Path sockets = Files.createDirectory(dir.resolve("sockets"));
        if (root) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            Files.setOwner(sockets, users.lookupPrincipalByName("postgres"));
        }
        run(concat(asUser, initdb.toString(), "-D", data.toString(), "-U", "postgres", "--auth-host=scram-sha-256",
                "--auth-local=trust", "-E", "UTF8", "--no-sync"));
        Path hba = data.resolve("pg_hba.conf");
        Files.writeString(hba, """
                host all nobody 127.0.0.1/32 reject
                host template1 postgres 127.0.0.1/32 trust
                host nosuchdb postgres 127.0.0.1/32 trust
                """ + Files.readString(hba));
        port = Daemon.freePort();
        server = Daemon.start(concat(asUser, postgres.toString(), "-D", data.toString(), "-p", String.valueOf(port),
                "-k", sockets.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"));
        server.awaitPort(port, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void realPostgresAsksForScram() {
        Observation o = probe("user=postgres");
        assertThat(o).isOk().hasNoCause().hasFact("outcome", "auth-requested").hasFact("auth", "SASL (SCRAM-SHA-256)")
                .summaryContains("is PostgreSQL: it asks postgres for SASL (SCRAM-SHA-256) authentication")
                .hasFact("answer_ms");
    }

    @Test
    void pgHbaRejectIsDecoded() {
        Observation o = probe("user=nobody");
        assertThat(o).isFail().hasCause("postgres.error").hasFact("outcome", "rejected").hasFact("severity", "FATAL")
                .hasFact("sqlstate", "28000").summaryContains("pg_hba.conf rejects connection for host \"127.0.0.1\", user \"nobody\"");
    }

    @Test
    void trustedDatabaseLetsTheUserInAndTellsTheVersion() {
        Observation o = probe("user=postgres", "database=template1");
        assertThat(o).isOk().hasFact("outcome", "logged-in").hasFact("auth", "none (trust)").hasFact("server_version");
        assertThat((String) o.facts().get("server_version")).matches("\\d+(\\.\\d+)?.*");
    }

    @Test
    void missingDatabaseIsAnErrorWith3D000() {
        Observation o = probe("user=postgres", "database=nosuchdb");
        assertThat(o).isFail().hasCause("postgres.error").hasFact("outcome", "no-database").hasFact("sqlstate", "3D000")
                .hasFact("message", "database \"nosuchdb\" does not exist");
    }

    private static Observation probe(String... more) {
        List<String> kv = new ArrayList<>(List.of("host=127.0.0.1", "port=" + port));
        kv.addAll(List.of(more));
        return ProbeHarness.run(new PostgresStartupProbe(), kv.toArray(String[]::new));
    }

    private static String[] concat(List<String> prefix, String... command) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(command));
        return all.toArray(String[]::new);
    }

    /** Runs a command to its end (at most 60 s, then killed by PID) and throws with its output when it fails. */
    private static void run(String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("reach-pg-it", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s: " + Files.readString(log));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + Files.readString(log));
            }
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
