package dev.reach.plugins.host;

import dev.reach.plugins.host.ProcResources.Mount;
import dev.reach.plugins.host.ResourcesCheckProbe.Fds;
import dev.reach.plugins.host.ResourcesCheckProbe.Finding;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ResourcesCheckProbeTest {
    private static final Map<String, Long> ROOMY = Map.of("MemTotal", 1000L, "MemAvailable", 600L, "SwapTotal", 0L);

    @Test
    void meminfoIsReadAndBrokenLinesSkipped() {
        Map<String, Long> m = ProcResources.keyValues(Samples.read("proc-meminfo.txt"));
        assertThat(m).containsKeys("MemTotal", "MemAvailable", "SwapTotal").doesNotContainKey("Broken");
    }

    @Test
    void softOpenFilesLimitIsRead() {
        assertThat(ProcResources.maxOpenFiles(Samples.read("proc-limits.txt"))).isPositive();
        assertThat(ProcResources.maxOpenFiles("Max open files            unlimited            unlimited            files")).isEqualTo(-1);
    }

    @Test
    void dfGivesUsePerMountAndSkipsShortLines() {
        List<Mount> m = ProcResources.df(Samples.read("df-k.txt"));
        assertThat(m).contains(new Mount("/var/lib/full", "overlay", 99));
        assertThat(m).noneMatch(x -> x.mount().equals("45"));
        assertThat(ProcResources.df("Filesystem Inodes IUsed IFree IUse% Mounted on\nnfs:/x - - - - /mnt/x\n"))
                .containsExactly(new Mount("/mnt/x", "nfs:/x", -1));
    }

    @Test
    void loadAndFileNrToleratesGarbage() {
        assertThat(ProcResources.load1("0.52 0.40 0.33 1/234 5678")).isEqualTo(0.52);
        assertThat(ProcResources.load1("")).isEqualTo(-1);
        assertThat(ProcResources.fileNr("1024\t0\t9223372036854775807")).containsExactly(1024, 0, Long.MAX_VALUE);
        assertThat(ProcResources.fileNr("x y")).isEmpty();
    }

    @Test
    void processAtItsOpenFileLimitIsFdExhausted() {
        var f = ResourcesCheckProbe.judge(0.1, 2, ROOMY, 0, new long[0], List.of(new Fds(4242, "python3", 60, 64)));
        var c = ResourcesCheckProbe.classify(f);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("fd.exhausted");
        assertThat(c.summary()).startsWith("python3 (pid 4242) holds 60 of its 64 open files (93%)");
    }

    @Test
    void lowMemoryIsPressureSevereBelowFivePercent() {
        var low = ResourcesCheckProbe.judge(0.1, 2, Map.of("MemTotal", 1000L, "MemAvailable", 80L), 0, new long[0], List.of());
        assertThat(ResourcesCheckProbe.classify(low).status()).isEqualTo(Status.WARN);
        var severe = ResourcesCheckProbe.judge(0.1, 2, Map.of("MemTotal", 1000L, "MemAvailable", 30L), 0, new long[0], List.of());
        assertThat(ResourcesCheckProbe.classify(severe).status()).isEqualTo(Status.FAIL);
        assertThat(ResourcesCheckProbe.classify(severe).cause()).isEqualTo("resources.pressure");
    }

    @Test
    void fullDiskAndInodesArePressure() {
        assertThat(ResourcesCheckProbe.disk("/var", 99, 40)).extracting(Finding::severe).containsExactly(true);
        assertThat(ResourcesCheckProbe.disk("/var", 50, 96)).singleElement().extracting(Finding::text).asString().contains("inodes");
        assertThat(ResourcesCheckProbe.disk("/var", 50, -1)).isEmpty();
    }

    @Test
    void highLoadOomKillsAndSwapWarn() {
        var f = ResourcesCheckProbe.judge(9.0, 2, Map.of("MemTotal", 1000L, "MemAvailable", 500L, "SwapTotal", 100L, "SwapFree", 5L),
                3, new long[] {100, 0, 1000}, List.of());
        assertThat(f).hasSize(3).allMatch(x -> x.cause().equals("resources.pressure") && !x.severe());
        assertThat(ResourcesCheckProbe.classify(f).status()).isEqualTo(Status.WARN);
        assertThat(ResourcesCheckProbe.classify(List.of()).status()).isEqualTo(Status.OK);
    }
}
