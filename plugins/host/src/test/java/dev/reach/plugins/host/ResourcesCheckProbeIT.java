package dev.reach.plugins.host;

import dev.reach.spi.Observation;
import dev.reach.testkit.ProbeHarness;
import dev.reach.testkit.Root;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** resources.check against a real process that holds 60 of the 64 files its limit allows. */
class ResourcesCheckProbeIT {
    private static final String HOLD = """
            import resource, time
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
            held = [open('/dev/null') for _ in range(57)]
            print('holding', flush=True)
            time.sleep(60)
            """;

    @Test
    void processNearItsOpenFileLimitIsFdExhausted() throws IOException, InterruptedException {
        Root.assumeRootWith("python3"); // root: the probe must read another process's fd table
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Path log = Files.createTempFile("reach-hold-", ".log");
        Process p = new ProcessBuilder(List.of(python, "-c", HOLD)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            for (int i = 0; i < 100 && !Files.readString(log).contains("holding") && p.isAlive(); i++) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(log)).contains("holding");
            Observation o = ProbeHarness.run(new ResourcesCheckProbe());
            assertThat(o.cause()).as(o.toString()).contains("fd.exhausted");
            // 57 files plus stdin, stdout and stderr (the interpreter may hold one or two more)
            assertThat((List<?>) o.facts().get("fd_top")).anyMatch(t -> t.toString()
                    .matches(".*\\(pid " + p.pid() + "\\) holds 6[0-3] of its 64 open files.*"));
        } finally {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }
}
