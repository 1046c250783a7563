package dev.reach.core.playbook;

/** How sure a verdict is, as FAULTS.md asks every verdict to say. */
public enum Confidence {
    /** The evidence proves the cause (an RST, an NXDOMAIN from every server). */
    CERTAIN,
    /** The evidence points to the cause; another cause would need an unlikely coincidence. */
    LIKELY,
    /** One of several causes that the evidence cannot separate; the verdict names the check that would. */
    POSSIBLE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static java.util.Optional<Confidence> fromLabel(String s) {
        for (Confidence c : values()) {
            if (c.label().equals(s)) return java.util.Optional.of(c);
        }
        return java.util.Optional.empty();
    }
}
