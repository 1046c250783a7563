package dev.reach.core.script;

import dev.reach.core.playbook.JsModule;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.playbook.Problem;
import dev.reach.core.playbook.SourcePos;
import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JS playbook's {@code export const metadata = {name, description, inputs, timeout, allow}}: the same inputs as
 * YAML's (a type name, or {type, required, default, description, allowed, secret}), checked the same way;
 * {@code allow: ['files']} lets it give probes files of its own choosing (see {@link Playbook#readsFiles()}).
 */
final class JsMetadata {
    private static final List<String> KEYS = List.of("name", "description", "inputs", "timeout", "allow");
    /** What {@code allow} may grant: reading files of the script's choosing through probes' {@code file} parameters. */
    private static final List<String> ALLOWANCES = List.of("files");
    private static final List<String> INPUT_KEYS = List.of("type", "required", "default", "description", "allowed", "secret");
    private static final Pattern EXPORT = Pattern.compile("export\\s+(?:const|let|var)\\s+metadata\\b");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private JsMetadata() {
    }

    static Playbook playbook(JsModule module, Map<?, ?> meta) throws PlaybookException {
        SourcePos at = position(module);
        List<Problem> problems = new ArrayList<>();
        if (meta == null) {
            throw new PlaybookException(at, "'metadata' must be an object like {name: 'connect', inputs: {host: 'host'}}");
        }
        for (Object k : meta.keySet()) {
            if (!KEYS.contains(k)) {
                problems.add(new Problem(at, "unknown metadata key '" + k + "'" + ParamBinder.closest(String.valueOf(k), KEYS)
                        .map(c -> "; did you mean '" + c + "'?").orElse("") + " (keys: " + String.join(", ", KEYS) + ")"));
            }
        }
        Map<String, Param> inputs = new LinkedHashMap<>();
        if (meta.get("inputs") instanceof Map<?, ?> in) {
            in.forEach((k, v) -> {
                Param p = input(String.valueOf(k), v, at, problems);
                if (p != null) inputs.put(p.name(), p);
            });
        } else if (meta.get("inputs") != null) {
            problems.add(new Problem(at, "'inputs' must be an object like {host: {type: 'host', required: true}}"));
        }
        Duration timeout = Playbook.DEFAULT_TIMEOUT;
        if (meta.get("timeout") != null) {
            try {
                timeout = (Duration) ParamType.DURATION.convert(meta.get("timeout"));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(at, "bad timeout: " + e.getMessage()));
            }
        }
        boolean readsFiles = false;
        if (meta.get("allow") instanceof List<?> allow) {
            for (Object a : allow) {
                if (ALLOWANCES.contains(String.valueOf(a))) {
                    readsFiles = true;
                } else {
                    problems.add(new Problem(at, "unknown allowance '" + a + "' (allow: " + ALLOWANCES + ")"));
                }
            }
        } else if (meta.get("allow") != null) {
            problems.add(new Problem(at, "'allow' must be a list like ['files']"));
        }
        if (!problems.isEmpty()) throw new PlaybookException(problems);
        String base = Path.of(module.name()).getFileName().toString().replaceFirst("\\.m?js$", "");
        return new Playbook(meta.get("name") instanceof String n ? n : base,
                meta.get("description") instanceof String d ? d : "", module.name(), inputs, List.of(), timeout, module, readsFiles);
    }

    private static Param input(String name, Object spec, SourcePos at, List<Problem> problems) {
        String where = "input '" + name + "': ";
        if (!NAME.matcher(name).matches()) {
            problems.add(new Problem(at, "input name '" + name + "' must be lower-case letters, digits and _"));
            return null;
        }
        Map<?, ?> m = spec instanceof String type ? Map.of("type", type) : spec instanceof Map<?, ?> mm ? mm : null;
        if (m == null) {
            problems.add(new Problem(at, where + "give a type name ('host') or {type, required, default, description, allowed, secret}"));
            return null;
        }
        for (Object k : m.keySet()) {
            if (!INPUT_KEYS.contains(k)) problems.add(new Problem(at, where + "unknown key '" + k + "' (keys: " + String.join(", ", INPUT_KEYS) + ")"));
        }
        String description = m.get("description") instanceof String d ? d : "";
        Param p;
        if (m.get("allowed") instanceof List<?> allowed && !allowed.isEmpty()) {
            p = Param.choice(name, description, allowed.stream().map(String::valueOf).toArray(String[]::new));
        } else {
            String type = m.get("type") == null ? "string" : String.valueOf(m.get("type"));
            ParamType t = Arrays.stream(ParamType.values()).filter(x -> x != ParamType.CHOICE && x.label().equals(type)).findFirst().orElse(null);
            if (t == null) {
                List<String> labels = Arrays.stream(ParamType.values()).filter(x -> x != ParamType.CHOICE).map(ParamType::label).toList();
                problems.add(new Problem(at, where + "unknown input type '" + type + "'; " + ParamBinder.closest(type, labels)
                        .map(c -> "did you mean '" + c + "'? ").orElse("") + "(types: " + String.join(", ", labels) + "; or give 'allowed:' values)"));
                return null;
            }
            p = Param.of(name, t, description);
        }
        try {
            if (m.containsKey("default")) {
                p = p.defaultValue(m.get("default"));
            } else if (Boolean.TRUE.equals(m.get("required"))) {
                p = p.required();
            }
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(at, "bad default for " + where.replace(": ", "") + ": " + e.getMessage()));
            return null;
        }
        return Boolean.TRUE.equals(m.get("secret")) ? p.secret() : p;
    }

    /** Where {@code export const metadata} is written, for problems about it. */
    static SourcePos position(JsModule module) {
        Matcher m = EXPORT.matcher(module.text());
        if (!m.find()) return new SourcePos(module.name(), 1, 1);
        String before = module.text().substring(0, m.start());
        int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
        return new SourcePos(module.name(), line, m.start() - before.lastIndexOf('\n'));
    }
}
