package dev.reach.plugins.http;

import dev.reach.testkit.SpecConventions;
import org.junit.jupiter.api.Test;

/** Every probe this plugin declares follows the spec conventions (found in its extension index, not listed here). */
class HttpSpecsTest {

    @Test
    void everyProbeFollowsTheConventions() {
        SpecConventions.check();
    }
}
