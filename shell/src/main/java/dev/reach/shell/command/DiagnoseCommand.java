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
                "  reach https://localhost:8443/", "  reach udp://127.0.0.1:53", "  reach web01:80 --set resolv_conf=/tmp/resolv.conf --set system=hosts",
                "  reach db01:5432 --server-via 'ssh admin@db01'", "  reach 198.18.1.2:80 --server-via 'ip netns exec B'"})
public final class DiagnoseCommand implements Callable<Integer> {
    static final String PLAYBOOK = "unreachable.yaml";

    private final Workbench bench;

    DiagnoseCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST:PORT",
            description = {"What to reach, like db01:5432, [::1]:22,", "https://web01/, udp://ns1:53 or ns1:53/udp."})
    String target;

    @picocli.CommandLine.Option(names = "--set", paramLabel = "NAME=VALUE",
            description = {"Another input of playbooks/unreachable.yaml", "(repeatable), like --set system=hosts or",
                    "--set resolv_conf=/tmp/resolv.conf."})
    Map<String, String> extra = new java.util.LinkedHashMap<>();

    @picocli.CommandLine.Option(names = "--patient",
            description = "Wait out the whole --timeout for a silent port or host, instead of deciding from the round trips measured beside it.")
    boolean patient;

    @Mixin
    ServerOptions server;

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
            if (!inputs.containsKey("port") && !extra.containsKey("port")) {
                err.println(noPort(target));
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
        java.util.Optional<ServerCommand> via;
        try {
            via = server.command(bench);
        } catch (IllegalArgumentException e) {
            err.println("reach: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (via.isEmpty()) {
            return bench.execute(new Request.PlaybookRequest(playbook(), inputs), common, output, spec.commandLine().getOut(), err);
        }
        if (target == null) {
            if (bench.target().isEmpty() || bench.target().get().port() == null) {
                err.println("reach: --server-via needs HOST:PORT, like 'diagnose db01:5432 --server-via \"ssh admin@db01\"'");
                return ExitCodes.USAGE;
            }
            inputs = new java.util.LinkedHashMap<>(inputs);
            inputs.putIfAbsent("host", bench.target().get().host());
            inputs.putIfAbsent("port", bench.target().get().port());
        }
        return withServer(inputs, via.get(), err);
    }

    /**
     * The diagnosis with the server's side run beside it ({@link ServerVia}) and joined into its verdict ({@link ServerJoin});
     * steps marked {@code on: server} run there too.
     */
    private int withServer(Map<String, Object> inputs, ServerCommand via, java.io.PrintWriter err) throws Exception {
        String host = String.valueOf(inputs.get("host"));
        int port = Integer.parseInt(String.valueOf(inputs.get("port")));
        String proto = String.valueOf(inputs.getOrDefault("proto", "tcp"));
        java.time.Duration timeout = (java.time.Duration) dev.reach.spi.ParamType.DURATION.convert(String.valueOf(inputs.getOrDefault("timeout", "3s")));
        java.time.Duration watch = timeout.plusSeconds(2);   // the handshake's own bound, and its retries' time
        inputs = new java.util.LinkedHashMap<>(inputs);
        inputs.putIfAbsent("egress", "true");   // a silent SYN: did it leave this host at all? (B's silence means little otherwise)
        ServerVia.Started started;
        String client = clientAddress(host, port);
        if (client.startsWith("!")) {
            started = new ServerVia.Started(null, ServerVia.View.absent(client.substring(1), via.prefix()));
        } else {
            List<String> argv = ServerVia.argv(via, port, client, watch, proto);
            if (common.verbose) err.println("reach: the server's side: " + String.join(" ", argv));
            started = ServerVia.start(argv);
        }
        ServerVia server = started.server();
        try {
            var around = new Request.Around(o -> o.withServer(via), r -> ServerJoin.join(r,
                    server == null ? started.absent() : server.await(watch.plusSeconds(5)), via.via()));
            return bench.execute(new Request.PlaybookRequest(playbook(), inputs, around), common, output, spec.commandLine().getOut(), err);
        } finally {
            if (server != null) server.close();
        }
    }

    /**
     * The address this host sends from toward {@code host} (the server watches for it), found by the kernel's route
     * lookup of a UDP socket's connect, which sends nothing; "!why" when there is none.
     */
    static String clientAddress(String host, int port) {
        try {
            java.net.InetAddress to = java.net.InetAddress.getByName(host);
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                s.connect(to, port);
                java.net.InetAddress from = s.getLocalAddress();
                return from == null || from.isAnyLocalAddress() ? "!no route from here to " + host : dev.reach.spi.Addresses.text(from);
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return "!the address A sends from toward " + host + " is unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * HOST:PORT as typed, a URL {@code https://host[:port]/path?query} (port 443 or 80 by default; TLS and HTTP on, the
     * path and query asked for as they are),
     * or {@code udp://HOST:PORT} / {@code tcp://HOST:PORT} for the transport alone.
     */
    public static Map<String, Object> inputs(String target) {
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            String transport = transport(target);
            if (transport == null) return HostPort.parse(target).params();
            return inputs(transport + "://" + target.substring(0, target.length() - transport.length() - 1)); // db01:53/udp
        }
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

    /**
     * The transport of the services-file form {@code HOST:PORT/udp} or {@code HOST:PORT/tcp} ({@code udp} or
     * {@code tcp}), else null; another word after the port's '/' is an error that says which are understood.
     */
    private static String transport(String target) {
        int slash = target.lastIndexOf('/');
        if (slash < 0 || target.lastIndexOf(']') > slash || target.lastIndexOf(':') > slash) return null;
        String t = target.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
        if (t.equals("udp") || t.equals("tcp")) return t;
        throw new IllegalArgumentException("'" + target + "': after the port's '/' write udp or tcp, like db01:53/udp");
    }

    /**
     * True when a bare command-line word is a diagnosis target: {@code db01:5432}, {@code db01:53/udp},
     * {@code https://web/}.
     */
    public static boolean looksLikeTarget(String word) {
        if (word.startsWith("-")) return false;
        if (List.of("http://", "https://", "udp://", "tcp://").stream().anyMatch(word::startsWith)) return true;
        try {
            String hostPort = transportless(word);
            return HostPort.parse(hostPort).port() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * True when a bare word names a host without a port: an IP address, or a name with a dot ({@code db01.lab},
     * {@code 127.0.0.1}, {@code ::1}); {@code reach WORD} then explains that a port is wanted. A single label
     * ({@code db01}) is not taken for one: it is as likely a mistyped command.
     */
    public static boolean looksLikeHost(String word) {
        if (word.startsWith("-") || word.contains("=") || word.contains("/")) return false;
        if (word.contains(":")) return word.matches("\\[?[0-9A-Fa-f:.]+(%\\w+)?]?"); // an IPv6 address
        return word.contains(".") && word.matches("[A-Za-z0-9_.-]+") && !word.endsWith(".yaml") && !word.endsWith(".js");
    }

    private static String transportless(String word) {
        String t = transport(word);
        return t == null ? word : word.substring(0, word.length() - t.length() - 1);
    }

    /** What {@code reach HOST} without a port says: which port, with the common ones, and how to ask about the host alone. */
    static String noPort(String host) {
        HostPort h = HostPort.parse(host);
        StringBuilder b = new StringBuilder("reach: which port of " + h + "? A diagnosis follows one connection to one\n"
                + "       service: write HOST:PORT, like\n");
        for (String[] e : new String[][] {{":22", "ssh"}, {":443", "https"}, {":5432", "postgres"}, {":53/udp", "dns"}}) {
            b.append(String.format(java.util.Locale.ROOT, "         %-30s (%s)%n", "reach " + h + e[0], e[1]));
        }
        return b.append("       Whether the host itself answers: reach probe icmp.ping host=").append(h.host()).toString();
    }


    private static Path playbook() {
        return EngineSetup.playbooksDir().resolve(PLAYBOOK);
    }
}
