package dev.reach.dist;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static dev.reach.dist.Cli.reach;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/playbook.schema.json, the schema editors check playbooks with, is the one {@code reach schema playbook} writes
 * from the distribution's probes, never edited by hand: a probe, parameter, cause or loader key added or changed
 * fails here until the file is written again.
 */
class PlaybookSchemaIT {
    @Test
    void theShippedSchemaIsTheOneTheCommandWrites() throws Exception {
        var r = reach("schema", "playbook");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Files.readString(Cli.REPO.resolve("docs/playbook.schema.json")))
                .as("docs/playbook.schema.json against 'reach schema playbook'; write it again with:%n"
                        + "  ./reach schema playbook > docs/playbook.schema.json").isEqualTo(r.out());
    }
}
