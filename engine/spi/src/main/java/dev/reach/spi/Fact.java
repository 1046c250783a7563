package dev.reach.spi;

/**
 * A named value a probe returns, documented in its spec so playbooks can refer to it
 * ({@code steps.connect.facts.connect_ms}) and help can list it.
 *
 * <pre>{@code
 * ProbeSpec.builder("tcp.connect", "Opens a TCP connection")
 *         .fact(Fact.of("connect_ms", "number", "time from the first SYN to the kernel's answer"))
 * // in a playbook: when: steps.connect.facts.connect_ms > 100
 * }</pre>
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
