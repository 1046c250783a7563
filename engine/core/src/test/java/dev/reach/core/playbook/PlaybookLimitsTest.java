package dev.reach.core.playbook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a hostile playbook file cannot make the loader do: read megabytes, or follow a million includes. */
class PlaybookLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aFileOverOneMebibyteIsRefusedBeforeItIsReadCommentsAndAll() throws Exception {
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, "steps:\n  - id: a\n    probe: test.fixed\n" + "# padding\n".repeat(1_100_000));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new PlaybookLoader().load(big)).isInstanceOf(PlaybookException.class)
                .hasMessageContaining("a playbook is at most 1024 KiB");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void includesAreCountedAcrossTheWholeTree() throws Exception {
        // level i includes level i+1 three times: 3 + 9 + 27 + 81 + 243 loads without a cap
        for (int level = 0; level <= 5; level++) {
            String body = level == 5 ? "  - id: leaf\n    probe: test.fixed\n"
                    : "  - {id: a, include: l" + (level + 1) + ".yaml}\n  - {id: b, include: l" + (level + 1) + ".yaml}\n"
                    + "  - {id: c, include: l" + (level + 1) + ".yaml}\n";
            Files.writeString(dir.resolve("l" + level + ".yaml"), "steps:\n" + body);
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new PlaybookLoader().load(dir.resolve("l0.yaml"))).isInstanceOf(PlaybookException.class)
                .hasMessageContaining("more than " + PlaybookLoader.MAX_INCLUDES + " includes in all");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
}
