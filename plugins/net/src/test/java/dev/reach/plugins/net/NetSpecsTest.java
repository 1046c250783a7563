package dev.reach.plugins.net;

import dev.reach.testkit.SpecConventions;
import org.junit.jupiter.api.Test;

/** Every probe this plugin declares follows the spec conventions (found in its extension index, not listed here). */
class NetSpecsTest {

    @Test
    void everyProbeFollowsTheConventions() {
        SpecConventions.check();
    }
}
