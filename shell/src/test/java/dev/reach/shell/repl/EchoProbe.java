package dev.reach.shell.repl;

import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;

/** A probe for the shell's tests: says back what it was given, fails with test.refused when told to. No network. */
final class EchoProbe implements Probe {
    static final ProbeSpec SPEC = ProbeSpec.builder("test.echo", "Says back its parameters")
            .param(Param.host("host", "a host").required())
            .param(Param.port("port", "a port"))
            .param(Param.choice("mode", "how it ends", "ok", "refused").defaultValue("ok"))
            .param(Param.bool("loud", "louder").defaultValue(false))
            .fact("seen", "string", "host:port as given")
            .example("reach probe test.echo host=127.0.0.1 port=1")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String seen = params.string("host") + ":" + (params.has("port") ? params.port("port") : "-");
        return "refused".equals(params.string("mode"))
                ? Observation.fail("tcp.refused", seen + " refused").fact("seen", seen).build()
                : Observation.ok(seen + " answered").fact("seen", seen).build();
    }

    /** A session on an engine with only this probe, printing into {@code out}. */
    static Session session() {
        var reach = dev.reach.core.Reach.builder().probe(new EchoProbe()).warmScripts(false).build();
        return new Session(java.util.concurrent.CompletableFuture.completedFuture(reach), action -> () -> { }, false, false);
    }
}
