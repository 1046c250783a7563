package dev.reach.shell.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code reach diagnose HOST:PORT} (also {@code reach HOST:PORT} and {@code reach https://host/}): the one-question
 * entry point. It runs the shipped {@code playbooks/unreachable.yaml}: DNS, route, neighbour, connect, TLS.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = {"Find out why HOST:PORT cannot be reached, and say so in one verdict.",
                "This runs playbooks/unreachable.yaml: the name, the route and next hop, the connection, "
                        + "then TLS and HTTP where the port or URL says so.",
                "In the shell, HOST:PORT defaults to the current target."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach diagnose 127.0.0.1:5432", "  reach diagnose [::1]:22 --json", "  reach 127.0.0.1:5432",
                "  reach https://localhost:8443/", "  reach udp://127.0.0.1:53", "  reach web01:80 --set resolv_conf=/tmp/resolv.conf --set system=hosts"})
public final class DiagnoseCommand implements Callable<Integer> {
    static final String PLAYBOOK = "unreachable.yaml";

    private final Workbench bench;

    DiagnoseCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST:PORT",
            description = "What to reach, like db01:5432, [::1]:22, https://web01/ or udp://ns1:53.")
    String target;

    @picocli.CommandLine.Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Another input of playbooks/unreachable.yaml (repeatable), like --set resolv_conf=/tmp/resolv.conf.")
    Map<String, String> extra = new java.util.LinkedHashMap<>();

    @picocli.CommandLine.Option(names = "--patient",
            description = "Wait out the whole --timeout for a silent port or host, instead of deciding from the round trips measured beside it.")
    boolean patient;

    @Mixin
    CommonOptions common;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        Map<String, Object> inputs = Map.of();
        if (target != null) {
            try {
                inputs = new java.util.LinkedHashMap<>(inputs(target));
            } catch (IllegalArgumentException e) {
                err.println("reach: diagnose " + e.getMessage());
                return ExitCodes.USAGE;
            }
        } else if (!bench.hasTarget()) {
            err.println("reach: diagnose needs HOST:PORT, like 'diagnose 127.0.0.1:5432'");
            return ExitCodes.USAGE;
        }
        if (!extra.isEmpty() || patient) {
            inputs = new java.util.LinkedHashMap<>(inputs);
            if (patient) inputs.put("patient", "true");
            inputs.putAll(extra);
        }
        return bench.execute(new Request.PlaybookRequest(playbook(), inputs), common, output, spec.commandLine().getOut(), err);
    }

    /**
     * HOST:PORT as typed, a URL {@code https://host[:port]/path?query} (port 443 or 80 by default; TLS and HTTP on, the
     * path and query asked for as they are),
     * or {@code udp://HOST:PORT} / {@code tcp://HOST:PORT} for the transport alone.
     */
    static Map<String, Object> inputs(String target) {
        int scheme = target.indexOf("://");
        if (scheme < 0) return HostPort.parse(target).params();
        String proto = target.substring(0, scheme).toLowerCase(java.util.Locale.ROOT);
        if (!List.of("http", "https", "udp", "tcp").contains(proto)) {
            throw new IllegalArgumentException("'" + target + "': the schemes understood are http://, https://, tcp:// and udp://");
        }
        String rest = target.substring(scheme + 3);
        int slash = java.util.stream.IntStream.of(rest.indexOf('/'), rest.indexOf('?'), rest.indexOf('#')).filter(i -> i >= 0).min().orElse(-1);
        HostPort hp = HostPort.parse(slash < 0 ? rest : rest.substring(0, slash));
        Map<String, Object> m = new java.util.LinkedHashMap<>(hp.params());
        if (proto.equals("udp") || proto.equals("tcp")) {
            if (hp.port() == null) throw new IllegalArgumentException("'" + target + "': " + proto + ":// needs a port, like " + proto + "://db01:53");
            m.put("proto", proto);
            if (proto.equals("udp")) m.put("tls", "no");
            return m;
        }
        m.putIfAbsent("port", proto.equals("https") ? "443" : "80");
        m.put("tls", proto.equals("https") ? "yes" : "no");
        m.put("http", "true");
        String path = slash < 0 ? "" : rest.substring(slash);
        int fragment = path.indexOf('#');
        path = fragment < 0 ? path : path.substring(0, fragment);           // a fragment never reaches the server
        m.put("path", path.startsWith("/") ? path : "/" + path);
        return m;
    }

    /** True when a bare command-line word is a diagnosis target ({@code reach db01:5432}, {@code reach https://web/}). */
    public static boolean looksLikeTarget(String word) {
        if (word.startsWith("-")) return false;
        if (List.of("http://", "https://", "udp://", "tcp://").stream().anyMatch(word::startsWith)) return true;
        try {
            return HostPort.parse(word).port() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The distribution's playbooks folder (reach.home), else the one in the working directory (a source tree). */
    public static Path playbooksDir() {
        String home = System.getProperty("reach.home");
        return home != null ? Path.of(home, "playbooks") : Path.of("playbooks");
    }

    private static Path playbook() {
        return playbooksDir().resolve(PLAYBOOK);
    }
}
