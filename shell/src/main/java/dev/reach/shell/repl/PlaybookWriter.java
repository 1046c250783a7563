package dev.reach.shell.repl;

import dev.reach.shell.command.EngineSetup;
import dev.reach.shell.command.HostPort;
import dev.reach.shell.command.Request;
import dev.reach.spi.ParamType;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes what a shell session ran as a YAML playbook that {@code reach run FILE} replays: one step per
 * probe, an {@code include} per playbook run. When a target was set, its host and port become inputs with
 * the target as default, so {@code --set host=OTHER} aims the same checks elsewhere.
 */
final class PlaybookWriter {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private PlaybookWriter() {
    }

    /**
     * How a saved playbook in {@code dir} names an included one: relative when it lies inside {@code dir}, by bare name
     * when it is an installed playbook (the engine looks those up, so the file keeps working wherever it is moved and
     * whichever build installed reach), else its absolute path.
     */
    static String includePath(Path file, Path dir) {
        Path included = file.toAbsolutePath().normalize();
        if (included.startsWith(dir)) return dir.relativize(included).toString();
        Path installed = EngineSetup.playbooksDir().toAbsolutePath().normalize();
        if (included.getParent() != null && included.getParent().equals(installed)) return included.getFileName().toString();
        return included.toString();
    }

    /**
     * @param file   where the playbook goes (names it; included playbooks inside its folder are written relative to it)
     * @param target the session's target, or null
     */
    static String yaml(Path file, List<Request> requests, HostPort target, Instant now) {
        return yaml(file, requests, target, now, Set.of());
    }

    /**
     * The same, where a probe parameter named in {@code secrets} (a password) is not written: the step takes it
     * from a secret input with no default, which the playbook's runs must give ({@code --set password=...}).
     */
    static String yaml(Path file, List<Request> requests, HostPort target, Instant now, Set<String> secrets) {
        String name = nameOf(file);
        Set<String> secretInputs = new java.util.TreeSet<>();
        Path dir = file.toAbsolutePath().normalize().getParent();
        Map<String, String> inputs = new java.util.TreeMap<>(); // host before port, whatever came first
        StringBuilder steps = new StringBuilder();
        List<String> ids = stepIds(requests);
        for (int i = 0; i < requests.size(); i++) {
            steps.append("  - id: ").append(ids.get(i)).append('\n');
            switch (requests.get(i)) {
                case Request.ProbeRequest p -> {
                    steps.append("    probe: ").append(p.id()).append('\n');
                    with(secretsAsInputs(p.params(), secrets, secretInputs), target, inputs, steps);
                }
                case Request.PlaybookRequest p -> {
                    steps.append("    include: ").append(quote(includePath(p.file(), dir))).append('\n');
                    with(p.inputs(), target, inputs, steps);
                }
            }
        }
        StringBuilder y = new StringBuilder();
        y.append("# ").append(file.getFileName()).append(" — saved from a reach shell session, ").append(STAMP.format(now)).append(".\n");
        y.append("#\n#   reach run ").append(file.getFileName()).append('\n');
        if (!inputs.isEmpty()) {
            y.append("#   reach run ").append(file.getFileName()).append(" --set ").append(inputs.keySet().iterator().next())
                    .append("=OTHER      # the same checks against another target\n");
        }
        for (String secret : secretInputs) {
            y.append("#   (give --set ").append(secret).append("=... on each run: the session's value is not saved)\n");
        }
        y.append("name: ").append(quote(name)).append('\n');
        y.append("description: ").append(quote("The checks of a reach shell session, in the order they ran.")).append('\n');
        if (!inputs.isEmpty() || !secretInputs.isEmpty()) {
            y.append("inputs:\n");
            inputs.forEach((k, v) -> y.append("  ").append(k).append(": {type: ").append(k).append(", default: ")
                    .append(quote(v)).append(", description: ").append(quote("the session's target " + k)).append("}\n"));
            secretInputs.forEach(k -> y.append("  ").append(k).append(": {type: string, required: true, secret: true, description: ")
                    .append(quote("a secret the session used; not saved")).append("}\n"));
        }
        y.append("steps:\n").append(steps);
        return y.toString();
    }

    /** The params with each secret one's value replaced by a reference to an input of its name (noted in {@code taken}). */
    private static Map<String, Object> secretsAsInputs(Map<String, Object> params, Set<String> secrets, Set<String> taken) {
        if (params.keySet().stream().noneMatch(secrets::contains)) {
            return params;
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>(params);
        out.replaceAll((k, v) -> {
            if (!secrets.contains(k)) return v;
            taken.add(k);
            return "${inputs." + k + "}";
        });
        return out;
    }

    private static void with(Map<String, Object> params, HostPort target, Map<String, String> inputs, StringBuilder out) {
        if (params.isEmpty()) return;
        out.append("    with: {");
        boolean first = true;
        for (var e : params.entrySet()) {
            String value = ParamType.format(e.getValue());
            String key = e.getKey();
            if (target != null && key.equals("host") && value.equals(target.host())) {
                inputs.put("host", target.host());
                value = "${inputs.host}";
            } else if (target != null && target.port() != null && key.equals("port") && value.equals(target.port())) {
                inputs.put("port", target.port());
                value = "${inputs.port}";
            }
            out.append(first ? "" : ", ").append(key).append(": ").append(quote(value));
            first = false;
        }
        out.append("}\n");
    }

    /** The step id of each request, unique, in order: what {@code save} writes and {@code js} calls {@code steps.<id>}. */
    static List<String> stepIds(List<Request> requests) {
        Set<String> taken = new HashSet<>(List.of("next", "stop"));
        return requests.stream().map(r -> unique(stepId(switch (r) {
            case Request.ProbeRequest p -> p.id();
            case Request.PlaybookRequest p -> nameOf(p.file());
        }), taken)).toList();
    }

    /** {@code tcp.connect} → {@code connect}: the action names the step; ids are lower-case a-z, 0-9 and _. */
    static String stepId(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        last = last.replaceAll("^_+|_+$", "");
        return last.isEmpty() || !Character.isLetter(last.charAt(0)) ? "step_" + last : last;
    }

    private static String unique(String id, Set<String> taken) {
        String candidate = id;
        for (int n = 2; !taken.add(candidate); n++) {
            candidate = id + "_" + n;
        }
        return candidate;
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> b.append(c < 0x20 ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }

    /** The playbook's name from its file: {@code probes/db-check.yaml} → {@code db-check}. */
    static String nameOf(Path file) {
        return file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    }
}
