package dev.reach.shell.term;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutputModeTest {
    private static final java.util.function.IntSupplier NEVER = () -> {
        throw new AssertionError("the terminal was asked although COLUMNS said or there is none");
    };

    @Test
    void columnsFromTheEnvironmentWinAndTheTerminalIsNotAsked() {
        assertThat(OutputMode.width("132", true, NEVER)).isEqualTo(132);
        assertThat(OutputMode.width("60", false, NEVER)).isEqualTo(60);
    }

    @Test
    void aTerminalGivesItsOwnWidthAndPipedOutputHasEighty() {
        assertThat(OutputMode.width(null, true, () -> 97)).isEqualTo(97);
        assertThat(OutputMode.width(null, false, NEVER)).isEqualTo(80);
        assertThat(OutputMode.width(null, true, () -> 0)).as("a terminal that does not say").isEqualTo(80);
    }

    @Test
    void columnsThatAreNotAPositiveNumberAreIgnored() {
        assertThat(OutputMode.width("", false, NEVER)).isEqualTo(80);
        assertThat(OutputMode.width("0", true, () -> 100)).isEqualTo(100);
        assertThat(OutputMode.width("wide", false, NEVER)).isEqualTo(80);
    }
}
