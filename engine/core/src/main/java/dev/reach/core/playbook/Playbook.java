package dev.reach.core.playbook;

import dev.reach.spi.Param;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded and validated playbook: inputs, steps, and a whole-run deadline.
 *
 * @param name        what it is called (the file name without extension unless it says otherwise)
 * @param description one paragraph, shown by help
 * @param source      the file it came from
 * @param inputs      typed inputs (the same types as probe parameters), in order
 * @param steps       the steps, in order
 * @param timeout     the whole run's deadline
 * @param script      for a JS playbook, its module (and {@code steps} is empty: main decides what runs); null for YAML
 * @param readsFiles  whether it may give a probe's {@code file} parameter (or an included playbook's {@code file}
 *                    input) a path of its own choosing: YAML playbooks may; a JS playbook only when its metadata
 *                    says {@code allow: ['files']} (paths the user gave as inputs are always allowed)
 */
public record Playbook(String name, String description, String source, Map<String, Param> inputs, List<Step> steps,
                       Duration timeout, JsModule script, boolean readsFiles) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    public Playbook {
        inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
        steps = List.copyOf(steps);
    }

    /** A YAML playbook. */
    public Playbook(String name, String description, String source, Map<String, Param> inputs, List<Step> steps,
                    Duration timeout) {
        this(name, description, source, inputs, steps, timeout, null, true);
    }

    /** A playbook that reads files (YAML) or not (JS) by default. */
    public Playbook(String name, String description, String source, Map<String, Param> inputs, List<Step> steps,
                    Duration timeout, JsModule script) {
        this(name, description, source, inputs, steps, timeout, script, script == null);
    }

    /** True for a JS playbook (its {@link #script()} runs instead of steps). */
    public boolean isScript() {
        return script != null;
    }

    /** The top-level step with that id. */
    public Optional<Step> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** Index of a top-level step, or -1. */
    public int indexOf(String id) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).id().equals(id)) return i;
        }
        return -1;
    }
}
