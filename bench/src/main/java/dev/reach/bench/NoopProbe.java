package dev.reach.bench;

import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;

/**
 * A probe that does nothing but answer OK with one fact: no I/O, no sleeping, so a benchmark that runs it
 * measures only what the engine spends around a probe (binding, the virtual thread, the deadline, the
 * result, the step view).
 */
public final class NoopProbe implements Probe {
    public static final String ID = "bench.noop";

    static final ProbeSpec SPEC = ProbeSpec.builder(ID, "Does nothing and answers ok (benchmarks only)")
            .param(Param.string("path", "any text; echoed back as a fact").defaultValue("/"))
            .fact("path", "string", "the path it was given")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        return Observation.ok("noop").fact("path", params.string("path")).build();
    }
}
