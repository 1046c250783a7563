package dev.reach.core.script;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How values read when a template puts them into text. */
class ScopeTest {
    @Test
    void durationsReadAsUsersWriteThemNotAsIso8601() {
        assertThat(Scope.text(Duration.ofSeconds(3))).isEqualTo("3s");
        assertThat(Scope.text(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(Scope.text(Duration.ofMinutes(2))).isEqualTo("2m");
    }

    @Test
    void numbersListsAndObjectsReadAsJavaScriptWouldPrintThem() {
        assertThat(Scope.text(3.0)).isEqualTo("3");
        assertThat(Scope.text(2.5)).isEqualTo("2.5");
        assertThat(Scope.text(List.of(22, 80))).isEqualTo("22,80");
        assertThat(Scope.text(Map.of("a", 1))).isEqualTo("[object Object]");
        assertThat(Scope.text(null)).isEqualTo("null");
    }
}
