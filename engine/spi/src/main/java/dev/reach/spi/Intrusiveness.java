package dev.reach.spi;

/**
 * Whether running a probe can disturb the target or the host, so a user can exclude intrusive ones.
 *
 * <pre>{@code
 * ProbeSpec.builder("tcp.scan", "Scans ports").intrusive()   // SAFE unless said otherwise
 * }</pre>
 */
public enum Intrusiveness {
    /** Reads state or makes ordinary connections, as a client would. */
    SAFE,
    /** Floods, scans widely, changes state or sends traffic a target may log as an attack. */
    INTRUSIVE
}
