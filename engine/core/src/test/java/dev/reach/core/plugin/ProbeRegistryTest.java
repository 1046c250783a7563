package dev.reach.core.plugin;

import dev.reach.spi.Observation;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProbeRegistryTest {

    record Fixed(ProbeSpec spec) implements Probe {
        Fixed(String id) {
            this(ProbeSpec.builder(id, "Does nothing").build());
        }

        @Override
        public Observation run(ProbeContext ctx, Params params) {
            return Observation.ok(spec.id()).build();
        }
    }

    static final class Throwing implements Probe {
        @Override
        public ProbeSpec spec() {
            throw new IllegalStateException("no spec today");
        }

        @Override
        public Observation run(ProbeContext ctx, Params params) {
            return Observation.ok("unreachable").build();
        }
    }

    @Test
    void allAndIdsAreSortedById() {
        ProbeRegistry r = ProbeRegistry.of(new Fixed("tcp.connect"), new Fixed("dns.resolve"), new Fixed("http.get"));

        assertThat(r.ids()).containsExactly("dns.resolve", "http.get", "tcp.connect");
        assertThat(r.all()).extracting(p -> p.spec().id()).containsExactly("dns.resolve", "http.get", "tcp.connect");
        assertThat(r.size()).isEqualTo(3);
    }

    @Test
    void aSpecIsReadOnceWhenAddedSoAProbeWhoseSpecLaterHangsCannotHangAnything() throws Exception {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        ProbeSpec spec = ProbeSpec.builder("sly.probe", "Behaves at load only").build();
        Probe sly = new Probe() {
            public ProbeSpec spec() {
                if (reads.incrementAndGet() > 1) {
                    try {
                        Thread.sleep(60_000);   // would hang whoever asks again
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return spec;
            }

            public dev.reach.spi.Observation run(dev.reach.spi.ProbeContext ctx, dev.reach.spi.Params p) {
                return dev.reach.spi.Observation.ok("ran").build();
            }
        };
        ProbeRegistry r = ProbeRegistry.builder().add(sly).build();
        long t0 = System.nanoTime();
        Probe registered = r.find("sly.probe").orElseThrow();
        assertThat(registered.spec()).isSameAs(spec);
        assertThat(registered.run(null, new dev.reach.spi.Params(java.util.Map.of())).summary()).isEqualTo("ran");
        assertThat(reads.get()).as("spec() was called once, when it was added").isEqualTo(1);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
    }

    @Test
    void findAndPluginOfNameTheProbeAndWhereItCameFrom() {
        Fixed tcp = new Fixed("tcp.connect");
        ProbeRegistry.Builder b = ProbeRegistry.builder().add(tcp, "net", Path.of("plugins/net.jar")).add(new Fixed("echo.say"));
        ProbeRegistry r = b.build();

        assertThat(r.find("tcp.connect")).get().extracting(p -> p.spec()).isSameAs(tcp.spec());
        assertThat(r.pluginOf("tcp.connect")).contains("net");
        assertThat(r.pluginOf("echo.say")).contains(ProbeRegistry.EMBEDDED);
        assertThat(r.find("tcp.nope")).isEmpty();
        assertThat(r.pluginOf("tcp.nope")).isEmpty();
        assertThat(b.problems()).isEmpty();
    }

    @Test
    void duplicateIdRegistersNeitherAndNamesBothPlugins() {
        ProbeRegistry.Builder b = ProbeRegistry.builder()
                .add(new Fixed("tcp.connect"), "net", Path.of("plugins/net.jar"))
                .add(new Fixed("tcp.ping"), "net", Path.of("plugins/net.jar"))
                .add(new Fixed("tcp.connect"), "other", Path.of("extra/other.jar"));
        ProbeRegistry r = b.build();

        assertThat(r.ids()).containsExactly("tcp.ping");
        assertThat(b.problems()).singleElement().satisfies(p -> {
            assertThat(p.message()).isEqualTo("probe id 'tcp.connect' is provided by both 'net' (plugins/net.jar)"
                    + " and 'other' (extra/other.jar); remove one");
            assertThat(p.source()).isEqualTo("other");
        });
    }

    @Test
    void embeddedProbeDoesNotWinOverAPluginWithTheSameId() {
        ProbeRegistry.Builder b = ProbeRegistry.builder()
                .add(new Fixed("tcp.connect"))
                .add(new Fixed("tcp.connect"), "net", Path.of("plugins/net.jar"));

        assertThat(b.build().ids()).isEmpty();
        assertThat(b.problems()).singleElement().extracting(PluginProblem::message)
                .isEqualTo("probe id 'tcp.connect' is provided by both 'embedded' and 'net' (plugins/net.jar); remove one");
    }

    @Test
    void threeCopiesOfOneIdAreAllNamed() {
        ProbeRegistry.Builder b = ProbeRegistry.builder()
                .add(new Fixed("x.y"), "a", null).add(new Fixed("x.y"), "b", null).add(new Fixed("x.y"), "c", null);

        assertThat(b.problems()).singleElement().extracting(PluginProblem::message)
                .isEqualTo("probe id 'x.y' is provided by 'a', 'b' and 'c'; remove all but one");
    }

    @Test
    void specThatThrowsOrReturnsNullIsAProblemNotACrash() {
        ProbeRegistry.Builder b = ProbeRegistry.builder()
                .add(new Throwing(), "bad", null)
                .add(new Fixed((ProbeSpec) null), "bad", null)
                .add(new Fixed("echo.say"));

        assertThat(b.build().ids()).containsExactly("echo.say");
        assertThat(b.problems()).extracting(PluginProblem::message).containsExactly(
                "probe class '" + Throwing.class.getName() + "' in plugin 'bad' failed in spec(): IllegalStateException: no spec today",
                "probe class '" + Fixed.class.getName() + "' in plugin 'bad' returned null from spec()");
        assertThat(b.problems().getFirst().detail()).contains("no spec today").contains("at ");
    }

    @Test
    void ofRefusesDuplicatesAsACallerBug() {
        assertThatThrownBy(() -> ProbeRegistry.of(new Fixed("a.b"), new Fixed("a.b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probe id 'a.b' is provided by both");
    }
}
