package dev.reach.dist;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static dev.reach.dist.Cli.reach;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's probe table is written from the probes' specs ({@code reach probes --markdown}), never by hand:
 * a probe added, renamed or changed in its spec fails here until the table is written again.
 */
class ReadmeProbesIT {
    private static final String BEGIN = "<!-- probes: written by 'reach probes --markdown'";
    private static final String END = "<!-- /probes -->";

    @Test
    void theReadmeTableIsTheOneTheSpecsWrite() throws Exception {
        String readme = Files.readString(Cli.REPO.resolve("README.md"));
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertThat(begin).as("README.md has the probe table's begin marker").isNotNegative();
        assertThat(end).as("README.md has the probe table's end marker").isGreaterThan(begin);
        String table = readme.substring(readme.indexOf('\n', begin) + 1, end);

        var r = reach("probes", "--markdown");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(table).as("README.md's probe table against 'reach probes --markdown'; write it again with:%n"
                + "  ./reach probes --markdown   (and paste it between the markers)").isEqualTo(r.out());
    }
}
