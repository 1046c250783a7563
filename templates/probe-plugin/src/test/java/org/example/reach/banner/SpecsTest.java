package org.example.reach.banner;

import dev.reach.testkit.PluginCheck;
import dev.reach.testkit.SpecConventions;
import org.junit.jupiter.api.Test;

/**
 * This plugin as reach will see it: every probe follows the spec conventions (found in its extension index, so a new
 * probe needs nothing here), and the module loads as reach loads plugins (descriptor, index, specs, cause file), so a
 * mistake fails the build instead of showing in 'reach plugins' once the jar is installed.
 */
class SpecsTest {

    @Test
    void everyProbeFollowsTheConventions() {
        SpecConventions.check();
    }

    @Test
    void itLoadsAsReachLoadsIt() {
        PluginCheck.check();
    }
}
