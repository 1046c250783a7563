package dev.reach.core.run;

import dev.reach.spi.Fact;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Probes for engine tests, where the thing under test is the engine, not a network: each does exactly
 * what its parameters say (a status and cause, a sleep, a throw), so the runner's behaviour is the only variable.
 */
public final class TestProbes {
    private TestProbes() {
    }

    /** {@code test.fixed status=fail cause=tcp.refused}: returns what it is told, with the params as facts. */
    public static final Probe FIXED = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.fixed", "Returns the status and cause it is given")
                .param(Param.choice("status", "status to return", "ok", "warn", "fail", "error", "skipped").defaultValue("ok"))
                .param(Param.string("cause", "cause to return"))
                .param(Param.string("note", "text echoed as a fact").defaultValue(""))
                .param(Param.integer("n", "a number echoed as a fact").defaultValue(0))
                .fact(Fact.of("note", "string", "the note")).build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) {
            Status s = Status.fromLabel(p.string("status")).orElseThrow();
            return Observation.of(s, "told " + s.label() + (p.string("note").isEmpty() ? "" : " (" + p.string("note") + ")"))
                    .cause(p.has("cause") ? p.string("cause") : null)
                    .fact("note", p.string("note")).fact("n", p.integer("n"))
                    .evidence("fixed " + s.label()).build();
        }
    };

    /** {@code test.read file=PATH}: reads the file's first line into the fact {@code line} (a probe that reads files). */
    public static final Probe READ = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.read", "Reads a file's first line")
                .param(Param.file("file", "the file").defaultValue("/etc/hostname"))
                .fact(Fact.of("line", "string", "the first line")).build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) {
            try {
                String line = java.nio.file.Files.readAllLines(java.nio.file.Path.of(p.string("file"))).stream().findFirst().orElse("");
                return Observation.ok("read " + p.string("file")).fact("line", line).build();
            } catch (java.io.IOException e) {
                return Observation.error("cannot read " + p.string("file")).build();
            }
        }
    };

    /** {@code test.list addresses=a,b}: answers ok with the list it is given as the fact {@code addresses} (empty by default). */
    public static final Probe LIST = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.list", "Returns the list it is given")
                .param(Param.list("addresses", "items echoed as a fact").defaultValue(""))
                .fact(Fact.of("addresses", "list", "the items")).build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) {
            return Observation.ok("told " + p.list("addresses").size() + " item(s)").fact("addresses", p.list("addresses")).build();
        }
    };

    /** {@code test.sleep time=10s}: blocks for the time given, honouring interrupts only when told. */
    public static final Probe SLEEP = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.sleep", "Sleeps")
                .param(Param.duration("time", "how long").defaultValue("10s"))
                .param(Param.bool("stubborn", "ignore interrupts").defaultValue(false)).build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) throws Exception {
            long end = System.nanoTime() + p.duration("time").toNanos();
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    if (!p.bool("stubborn")) throw e;
                }
            }
            return Observation.ok("slept").build();
        }
    };

    /** {@code test.throw}: throws. */
    public static final Probe THROW = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.throw", "Throws").build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) {
            throw new IllegalStateException("boom");
        }
    };

    /** {@code test.root}: needs root and a tool that does not exist. */
    public static final Probe NEEDY = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.needy", "Needs what no host has")
                .needs(Needs.NOTHING.withTools("no-such-tool-reach")).build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) {
            return Observation.ok("ran").build();
        }
    };

    /** A stand-in with tcp.connect's parameters, for validator tests. */
    public static final Probe TCP_LIKE = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("tcp.connect", "Opens a TCP connection")
                .param(Param.host("host", "host").required())
                .param(Param.port("port", "port").required())
                .param(Param.duration("timeout", "timeout").defaultValue("3s").range("1ms", "5m"))
                .param(Param.choice("family", "family", "any", "4", "6").defaultValue("any")).build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) {
            return Observation.ok("pretend connect to " + p.string("host") + ":" + p.port("port")).build();
        }
    };

    public static final List<Probe> ALL = List.of(FIXED, LIST, SLEEP, THROW, NEEDY, TCP_LIKE);

    public static Map<String, Probe> byId() {
        return ALL.stream().collect(Collectors.toMap(p -> p.spec().id(), p -> p));
    }

    public static Function<String, Optional<Probe>> lookup() {
        Map<String, Probe> m = byId();
        return id -> Optional.ofNullable(m.get(id));
    }

    public static Function<String, Optional<ProbeSpec>> specs() {
        Map<String, Probe> m = byId();
        return id -> Optional.ofNullable(m.get(id)).map(Probe::spec);
    }

    public static List<String> ids() {
        return ALL.stream().map(p -> p.spec().id()).toList();
    }
}
