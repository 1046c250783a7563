package dev.reach.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ParamTypeTest {
    @Test
    void durationsAreWrittenAsUsersWriteThem() {
        assertThat(ParamType.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(ParamType.format(Duration.ofSeconds(3))).isEqualTo("3s");
        assertThat(ParamType.format(Duration.ofMinutes(2))).isEqualTo("2m");
    }

    @Test
    void portListsAreWrittenAsRangesThatReadBackTheSame() {
        for (String text : List.of("22,80,443", "1-65535", "1-1024,8080", "22,23,80-82,8000-8100,9000")) {
            assertThat(ParamType.format(ParamType.PORTS.convert(text))).as(text).isEqualTo(text);
        }
        assertThat(ParamType.format(List.of(22L, 23L))).as("two in a row are not a range").isEqualTo("22,23");
        assertThat(ParamType.format(List.of("a", "b"))).isEqualTo("a,b");
    }

    /** A host reaches ping, traceroute and getent as an argument: one starting with '-' would be an option there. */
    @Test
    void aHostStartingWithADashIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParamType.HOST.convert("-flood"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'-flood' is not a host name or an IP address: a host name does not start with '-'");
        assertThat(ParamType.HOST.convert("db-01.example.net")).isEqualTo("db-01.example.net");
        assertThat(ParamType.HOST.convert("[::1]")).isEqualTo("::1");
    }

    /** {@link Param#matching}: a value of the wrong shape is refused with the words the probe gave. */
    @Test
    void aParamsShapeIsCheckedAndKeptThroughItsOtherSettings() {
        Param p = Param.string("unit", "a unit").matching("[^-].*", "a unit name that does not start with '-'").required();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.convert("--help"))
                .hasMessage("'--help' is not a unit name that does not start with '-'");
        assertThat(p.convert("nginx")).isEqualTo("nginx");
    }
}
