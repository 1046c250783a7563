package org.example.reach;

import dev.reach.testkit.SpecConventions;
import org.junit.jupiter.api.Test;

/** Every probe of this plugin follows the spec conventions: found in its extension index, so a new probe needs nothing here. */
class SpecsTest {

    @Test
    void everyProbeFollowsTheConventions() {
        SpecConventions.check();
    }
}
