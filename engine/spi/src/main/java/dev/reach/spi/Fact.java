package dev.reach.spi;

/**
 * A named value a probe returns, documented in its spec so playbooks can refer to it
 * ({@code steps.connect.facts.connect_ms}) and help can list it.
 *
 * @param name        snake_case name; durations end in {@code _ms}
 * @param type        {@code string}, {@code number}, {@code integer}, {@code boolean}, {@code list} or {@code map}
 * @param description one line
 */
public record Fact(String name, String type, String description) {
    public static Fact of(String name, String type, String description) {
        return new Fact(name, type, description);
    }
}
