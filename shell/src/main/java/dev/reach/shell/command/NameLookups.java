package dev.reach.shell.command;

/** How a long-lived reach process (a shell, a resident reach) looks names up. */
public final class NameLookups {
    private NameLookups() {
    }

    /**
     * Makes the JDK look names up afresh each time in this process: by default it keeps an answer 30 s and a
     * failure 10 s for the whole process, so a run after a DNS fix would still see the fault. Takes effect when
     * set before the first lookup.
     */
    public static void fresh() {
        java.security.Security.setProperty("networkaddress.cache.ttl", "0");
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }
}
