package dev.reach.shell.serve;

import dev.reach.spi.ParamType;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code reach serve --config FILE}: named modules (a playbook with fixed inputs and a deadline) and the targets a
 * request may name. Every mistake is reported as {@code FILE:LINE:COLUMN: what}, and a file with one keeps the
 * server from starting (or, on SIGHUP, from replacing the configuration that works).
 *
 * <pre>
 * modules:
 *   web:
 *     playbook: unreachable        # an installed playbook by name, or a file (relative to this one)
 *     inputs: {timeout: 2s}
 *     timeout: 8s                  # the run's deadline (a scrape's own timeout can only shorten it)
 * allow:                           # if given, the only targets a request may name
 *   - 127.0.0.0/8
 *   - ::1
 *   - "*.lab.test"
 * </pre>
 */
record ServeConfig(Map<String, Module> modules, List<String> allow, Path file) {
    /** An empty configuration: every installed playbook by name, any target. */
    static final ServeConfig NONE = new ServeConfig(Map.of(), List.of(), null);

    ServeConfig {
        modules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        allow = List.copyOf(allow);
    }

    /**
     * A named module.
     *
     * @param playbook an installed playbook's name, or a path (absolute, as resolved against the config file)
     * @param inputs   inputs a request cannot change
     * @param timeout  the run's deadline, or null for the server's
     */
    record Module(String playbook, Map<String, Object> inputs, Duration timeout) {
        Module {
            inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        }
    }

    /** A configuration file with a mistake: each problem as {@code FILE:LINE:COLUMN: what}. */
    static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }

    /** Whether the target host may be probed: no allow list, an address in one of its networks, or a listed name. */
    boolean allows(String host) {
        if (allow.isEmpty()) return true;
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Optional<InetAddress> literal = literal(h);
        for (String entry : allow) {
            if (literal.isPresent()) {
                if (inNetwork(literal.get(), entry)) return true;
            } else if (entry.startsWith("*.")) {
                if (h.toLowerCase(Locale.ROOT).endsWith(entry.substring(1).toLowerCase(Locale.ROOT))) return true;
            } else if (h.equalsIgnoreCase(entry)) {
                return true;
            }
        }
        return false;
    }

    /** Reads and checks the file. */
    static ServeConfig load(Path file) throws Invalid {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Invalid(List.of(file + ": cannot read it: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            options.setCodePointLimit(1 << 20);
            root = new Yaml(new SafeConstructor(options)).compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? file + ":" : at(file, e.getProblemMark());
            throw new Invalid(List.of(where + " " + e.getProblem()));
        } catch (RuntimeException e) {
            throw new Invalid(List.of(file + ": not YAML: " + e.getMessage()));
        }
        if (root == null) return new ServeConfig(Map.of(), List.of(), file);
        if (!(root instanceof MappingNode top)) throw new Invalid(List.of(at(file, root) + " expected 'modules:' and 'allow:'"));
        Map<String, Module> modules = new LinkedHashMap<>();
        List<String> allow = new ArrayList<>();
        unique(file, top, problems);
        for (NodeTuple t : top.getValue()) {
            String key = scalar(t.getKeyNode());
            switch (key) {
                case "modules" -> modules(file, t.getValueNode(), modules, problems);
                case "allow" -> allow(file, t.getValueNode(), allow, problems);
                default -> problems.add(at(file, t.getKeyNode()) + " unknown key '" + key + "' (expected modules, allow)");
            }
        }
        if (!problems.isEmpty()) throw new Invalid(problems);
        return new ServeConfig(modules, allow, file);
    }

    private static void modules(Path file, Node node, Map<String, Module> out, List<String> problems) {
        if (!(node instanceof MappingNode m)) {
            problems.add(at(file, node) + " 'modules' is a map of NAME: {playbook, inputs, timeout}");
            return;
        }
        unique(file, m, problems);
        for (NodeTuple t : m.getValue()) {
            String name = scalar(t.getKeyNode());
            if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
                problems.add(at(file, t.getKeyNode()) + " module name '" + name + "': letters, digits, '_', '.', '-'");
                continue;
            }
            if (!(t.getValueNode() instanceof MappingNode body)) {
                problems.add(at(file, t.getValueNode()) + " module '" + name + "' is a map: {playbook, inputs, timeout}");
                continue;
            }
            String playbook = "unreachable";
            Map<String, Object> inputs = new LinkedHashMap<>();
            Duration timeout = null;
            unique(file, body, problems);
            for (NodeTuple f : body.getValue()) {
                String key = scalar(f.getKeyNode());
                Node v = f.getValueNode();
                switch (key) {
                    case "playbook" -> {
                        String p = v instanceof ScalarNode s ? s.getValue() : "";
                        if (p.isBlank()) {
                            problems.add(at(file, v) + " 'playbook' is an installed playbook's name or a file");
                        } else if (p.matches("[A-Za-z0-9_-]+")) {
                            playbook = p;
                        } else {
                            Path parent = file.toAbsolutePath().getParent();
                            playbook = (parent == null ? Path.of(p) : parent.resolve(p)).normalize().toString();
                        }
                    }
                    case "inputs" -> {
                        if (!(v instanceof MappingNode in)) {
                            problems.add(at(file, v) + " 'inputs' is a map of NAME: VALUE");
                            break;
                        }
                        unique(file, in, problems);
                        for (NodeTuple i : in.getValue()) {
                            Object value = value(i.getValueNode());
                            if (value == null) {
                                problems.add(at(file, i.getValueNode()) + " input '" + scalar(i.getKeyNode()) + "': a value or a list of values");
                            } else {
                                inputs.put(scalar(i.getKeyNode()), value);
                            }
                        }
                    }
                    case "timeout" -> {
                        try {
                            timeout = (Duration) ParamType.DURATION.convert(v instanceof ScalarNode s ? s.getValue() : "");
                        } catch (IllegalArgumentException e) {
                            problems.add(at(file, v) + " 'timeout': " + e.getMessage());
                        }
                    }
                    default -> problems.add(at(file, f.getKeyNode()) + " unknown key '" + key + "' in module '" + name
                            + "' (expected playbook, inputs, timeout)");
                }
            }
            out.put(name, new Module(playbook, inputs, timeout));
        }
    }

    private static void allow(Path file, Node node, List<String> out, List<String> problems) {
        if (!(node instanceof SequenceNode seq)) {
            problems.add(at(file, node) + " 'allow' is a list of networks (127.0.0.0/8, ::1) and names (db01.lab, *.lab.test)");
            return;
        }
        for (Node n : seq.getValue()) {
            String entry = n instanceof ScalarNode s ? s.getValue().strip() : "";
            String why = checkEntry(entry);
            if (why != null) {
                problems.add(at(file, n) + " allow entry '" + entry + "': " + why);
            } else {
                out.add(entry);
            }
        }
    }

    /** Why an allow entry is not a network, an address, a name or {@code *.suffix}; null when it is one. */
    static String checkEntry(String entry) {
        if (entry.isEmpty()) return "empty";
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        Optional<InetAddress> a = literal(address);
        if (slash >= 0) {
            if (a.isEmpty()) return "a network is ADDRESS/BITS, like 198.18.0.0/15";
            try {
                int bits = Integer.parseInt(entry.substring(slash + 1));
                if (bits < 0 || bits > a.get().getAddress().length * 8) return "prefix length out of range";
            } catch (NumberFormatException e) {
                return "a network is ADDRESS/BITS, like 198.18.0.0/15";
            }
            return null;
        }
        if (a.isPresent()) return null;
        String name = entry.startsWith("*.") ? entry.substring(2) : entry;
        return name.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?") ? null
                : "not an address, a network (ADDRESS/BITS), a host name or *.domain";
    }

    /** Whether the address is the entry's address, or in its network. */
    static boolean inNetwork(InetAddress address, String entry) {
        int slash = entry.indexOf('/');
        Optional<InetAddress> net = literal(slash < 0 ? entry : entry.substring(0, slash));
        if (net.isEmpty()) return false;
        byte[] a = address.getAddress();
        byte[] n = net.get().getAddress();
        if (a.length != n.length) return false;
        int bits = slash < 0 ? a.length * 8 : Integer.parseInt(entry.substring(slash + 1));
        if (bits == 0) return true;
        BigInteger mask = BigInteger.ONE.shiftLeft(a.length * 8).subtract(BigInteger.ONE)
                .shiftRight(a.length * 8 - bits).shiftLeft(a.length * 8 - bits);
        return new BigInteger(1, a).and(mask).equals(new BigInteger(1, n).and(mask));
    }

    /** An IP address literal (never a name lookup), else empty. */
    static Optional<InetAddress> literal(String s) {
        if (s.isEmpty() || !(s.matches("[0-9.]+") || s.contains(":"))) return Optional.empty();
        try {
            return Optional.of(InetAddress.ofLiteral(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A key given twice is a mistake, not "the last one wins" (SnakeYAML's composer lets it through). */
    private static void unique(Path file, MappingNode m, List<String> problems) {
        Set<String> seen = new java.util.HashSet<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode());
            if (!seen.add(key)) problems.add(at(file, t.getKeyNode()) + " duplicate key '" + key + "'");
        }
    }

    private static Object value(Node n) {
        if (n instanceof ScalarNode s) return s.getValue();
        if (n instanceof SequenceNode seq) {
            List<String> out = new ArrayList<>();
            for (Node item : seq.getValue()) {
                if (!(item instanceof ScalarNode s)) return null;
                out.add(s.getValue());
            }
            return out;
        }
        return null;
    }

    private static String scalar(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : String.valueOf(n);
    }

    private static String at(Path file, Node n) {
        return n.getStartMark() == null ? file + ":" : at(file, n.getStartMark());
    }

    private static String at(Path file, Mark m) {
        return file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1) + ":";
    }
}
