package dev.reach.core.run;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.core.playbook.Playbook;
import dev.reach.spi.Param;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A playbook's inputs as given (--set, an include's with:, a JS include's object), checked and converted. */
final class Inputs {
    private Inputs() {
    }

    /**
     * Checks and converts inputs against the playbook's declarations, defaults filled in; a relative {@code file}
     * input is resolved against {@code workingDirectory} (null: left as given).
     */
    static Map<String, Object> bind(Playbook playbook, Map<String, ?> raw, Path workingDirectory) throws UsageException {
        List<String> problems = new ArrayList<>();
        List<String> names = List.copyOf(playbook.inputs().keySet());
        for (String name : raw.keySet()) {
            if (!playbook.inputs().containsKey(name)) {
                problems.add(playbook.source() + ": unknown input '" + name + "'" + ParamBinder.closest(name, names)
                        .map(c -> "; did you mean '" + c + "'?").orElse("")
                        + (names.isEmpty() ? " (this playbook takes no inputs)" : " (inputs: " + String.join(", ", names) + ")"));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Param p : playbook.inputs().values()) {
            if (raw.containsKey(p.name())) {
                try {
                    out.put(p.name(), ParamBinder.resolved(p, p.convert(raw.get(p.name())), workingDirectory));
                } catch (IllegalArgumentException e) {
                    problems.add(playbook.source() + ": bad value for input '" + p.name() + "': " + ParamBinder.unsaid(p, e.getMessage()));
                }
            } else if (p.isRequired()) {
                problems.add(playbook.source() + ": missing required input '" + p.name() + "'; give it with --set "
                        + p.name() + "=VALUE" + (p.description().isEmpty() ? "" : " (" + p.description() + ")"));
            } else {
                out.put(p.name(), p.defaultValue().orElse(null));
            }
        }
        if (!problems.isEmpty()) {
            throw new UsageException(problems);
        }
        return out;
    }
}
