package dev.reach.core.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WrapTest {
    @Test
    void wrapsAtWordsAndGivesALongWordALineOfItsOwn() {
        assertThat(Wrap.lines("one two three four", 9)).containsExactly("one two", "three", "four");
        assertThat(Wrap.lines("a https://example.invalid/very/long b", 10)).containsExactly("a", "https://example.invalid/very/long", "b");
    }

    @Test
    void hangingLinesStartUnderTheText() {
        assertThat(Wrap.hanging("Fix: ", "     ", "restart the service and look at its log", 20))
                .containsExactly("Fix: restart the", "     service and", "     look at its log");
    }

    @Test
    void aFirstWordTooLongForTheFirstLineStartsOnTheNext() {
        assertThat(Wrap.lines("/etc/ssl/certs/ca.pem is unreadable", 5, 30)).containsExactly("", "/etc/ssl/certs/ca.pem is", "unreadable");
    }

    @Test
    void whiteSpaceAndLineBreaksFoldIntoOneSpace() {
        assertThat(Wrap.lines("a  b\n   c d", 80)).containsExactly("a b c d");
        assertThat(Wrap.lines("   ", 80)).containsExactly("");
    }
}
