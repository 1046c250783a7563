package dev.reach.plugins.dns;

import dev.reach.testkit.SpecConventions;
import org.junit.jupiter.api.Test;

/** Every probe this plugin declares follows the spec conventions (found in its extension index, not listed here). */
class DnsSpecsTest {

    @Test
    void everyProbeFollowsTheConventions() {
        SpecConventions.check();
    }
}
