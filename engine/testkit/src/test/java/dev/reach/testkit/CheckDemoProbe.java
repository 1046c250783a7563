package dev.reach.testkit;

import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;

/** A top-level probe that follows every convention, for PluginCheckTest to lay out as a plugin module's class. */
public final class CheckDemoProbe implements Probe {
    static final ProbeSpec SPEC = ProbeSpec.builder("check.demo", "Says a word")
            .param(Param.string("text", "what to say").defaultValue("hi"))
            .fact("text", "string", "what was said")
            .example("reach probe check.demo text=hello")
            .about("Says the text; a listener that never answers is `tcp.no-response`.")
            .causes("tcp.no-response")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        return Observation.ok(params.string("text")).fact("text", params.string("text")).build();
    }
}
