package dev.reach.testkit;

import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Params;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecConventionsTest {

    /** Follows every convention. */
    static final class DemoSayProbe implements Probe {
        static final ProbeSpec SPEC = ProbeSpec.builder("demo.say", "Says a word")
                .param(Param.string("text", "what to say").defaultValue("hi"))
                .fact("text", "string", "what was said")
                .example("reach probe demo.say text='hello there'")
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

    /** Breaks them: misnamed, a new spec each call, lower-case summary, no fact, an example that does not bind. */
    static final class Sloppy implements Probe {
        @Override
        public ProbeSpec spec() {
            return ProbeSpec.builder("demo.sloppy", "does things").param(Param.port("port", "a port"))
                    .example("reach probe demo.sloppy port=notaport").example("reach probe demo.other x=1").build();
        }

        @Override
        public Observation run(ProbeContext ctx, Params params) {
            return Observation.ok("").build();
        }
    }

    @Test
    void aProbeThatFollowsThemHasNoProblem() {
        assertThat(SpecConventions.problems(new DemoSayProbe())).isEmpty();
        SpecConventions.check(List.of(new DemoSayProbe()));
    }

    @Test
    void everyBrokenConventionIsNamedWithWhatToDo() {
        assertThat(SpecConventions.problems(new Sloppy())).hasSize(6)
                .anySatisfy(p -> assertThat(p).contains("same instance"))
                .anySatisfy(p -> assertThat(p).contains("the class is Sloppy; name it DemoSloppyProbe"))
                .anySatisfy(p -> assertThat(p).contains("starting with a capital"))
                .anySatisfy(p -> assertThat(p).contains("names no fact"))
                .anySatisfy(p -> assertThat(p).contains("port=notaport").contains("does not bind"))
                .anySatisfy(p -> assertThat(p).contains("should start with 'reach probe demo.sloppy'"));
        assertThatThrownBy(() -> SpecConventions.check(List.of(new DemoSayProbe(), new Sloppy())))
                .isInstanceOf(AssertionError.class).hasMessageStartingWith("6 broken convention(s):");
    }

    @Test
    void noProbeDeclaredIsAFailureThatSaysWhereToLook() {
        assertThatThrownBy(() -> SpecConventions.check(List.of())).hasMessageContaining("extensions.idx");
    }
}
