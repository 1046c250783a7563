package dev.reach.core.playbook;

/** Where a run goes after a step: on to the next step, to a named step, or nowhere (stop). */
public sealed interface Target {
    /** The step that follows in the file. */
    record Next() implements Target {
        @Override
        public String toString() {
            return "next";
        }
    }

    /** Stop the run here; the verdict is derived from what was seen. */
    record Stop() implements Target {
        @Override
        public String toString() {
            return "stop";
        }
    }

    /**
     * Jump to the step with that id.
     *
     * @param step the target step id
     * @param max  how many times this jump may be taken in one run (a jump backwards must say; 0 = no bound needed)
     * @param pos  where the jump is written
     */
    record GoTo(String step, int max, SourcePos pos) implements Target {
        @Override
        public String toString() {
            return "goto " + step;
        }
    }

    /** Whether it leaves the order of the file (a jump or a stop), which the report notes. */
    default boolean isJump() {
        return this instanceof GoTo || this instanceof Stop;
    }

    Next NEXT = new Next();
    Stop STOP = new Stop();
}
