package dev.reach.plugins.postgres;

import dev.reach.testkit.SpecConventions;
import org.junit.jupiter.api.Test;

/** Every probe this plugin declares follows the spec conventions (found in its extension index, not listed here). */
class PostgresSpecsTest {

    @Test
    void everyProbeFollowsTheConventions() {
        SpecConventions.check();
    }
}
