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

    /** Breaks them: misnamed, a new spec each call, lower-case summary, no fact, examples that do not bind, no cause. */
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

    /** Declares a cause no catalogue has, and leaves out one its paragraph names. */
    static final class DemoCauseProbe implements Probe {
        static final ProbeSpec SPEC = ProbeSpec.builder("demo.cause", "Names causes")
                .fact("outcome", "string", "what happened")
                .example("reach probe demo.cause")
                .about("Ends in `tcp.refused` or `tcp.reset`.")
                .causes("tcp.refused", "demo.made-up")
                .build();

        @Override
        public ProbeSpec spec() {
            return SPEC;
        }

        @Override
        public Observation run(ProbeContext ctx, Params params) {
            return Observation.fail("tcp.reset", "reset").build();
        }
    }

    @Test
    void aProbeThatFollowsThemHasNoProblem() {
        assertThat(SpecConventions.problems(new DemoSayProbe())).isEmpty();
        SpecConventions.check(List.of(new DemoSayProbe()));
    }

    @Test
    void everyBrokenConventionIsNamedWithWhatToDo() {
        assertThat(SpecConventions.problems(new Sloppy())).hasSize(7)
                .anySatisfy(p -> assertThat(p).contains("same instance"))
                .anySatisfy(p -> assertThat(p).contains("the class is Sloppy; name it DemoSloppyProbe"))
                .anySatisfy(p -> assertThat(p).contains("starting with a capital"))
                .anySatisfy(p -> assertThat(p).contains("names no fact"))
                .anySatisfy(p -> assertThat(p).contains("port=notaport").contains("does not bind"))
                .anySatisfy(p -> assertThat(p).contains("should start with 'reach probe demo.sloppy'"))
                .anySatisfy(p -> assertThat(p).contains("declares no cause"));
        assertThatThrownBy(() -> SpecConventions.check(List.of(new DemoSayProbe(), new Sloppy())))
                .isInstanceOf(AssertionError.class).hasMessageStartingWith("7 broken convention(s):");
    }

    @Test
    void causesAreCheckedAgainstTheCatalogueAndTheParagraph() {
        assertThat(SpecConventions.problems(new DemoCauseProbe())).containsExactlyInAnyOrder(
                "demo.cause: declares cause 'demo.made-up', which is in no catalogue (the engine's causes, or this plugin's reach-causes.tsv)",
                "demo.cause: its about paragraph names `tcp.reset` but .causes(...) does not declare it");
    }

    @Test
    void theHarnessFailsARunThatReturnsACauseTheSpecDoesNotDeclare() {
        assertThatThrownBy(() -> ProbeHarness.run(new DemoCauseProbe()))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("demo.cause returned cause 'tcp.reset', which its spec does not declare (it declares tcp.refused, demo.made-up)");
    }

    /** The same for facts: a fact the spec does not declare is one help, --json readers and playbooks cannot know. */
    @Test
    void theHarnessFailsARunThatReturnsAFactTheSpecDoesNotDeclare() {
        Probe chatty = new Probe() {
            @Override
            public ProbeSpec spec() {
                return DemoSayProbe.SPEC;
            }

            @Override
            public Observation run(ProbeContext ctx, Params params) {
                return Observation.ok("said").fact("text", "hi").fact("mood", "chatty").build();
            }
        };
        assertThatThrownBy(() -> ProbeHarness.run(chatty, "text=hi"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("demo.say returned fact(s) [mood], which its spec does not declare: add each with .fact(");
        assertThat(ProbeHarness.run(new DemoSayProbe(), "text=hi").facts()).containsEntry("text", "hi");
    }

    @Test
    void noProbeDeclaredIsAFailureThatSaysWhereToLook() {
        assertThatThrownBy(() -> SpecConventions.check(List.of())).hasMessageContaining("extensions.idx");
    }
}
