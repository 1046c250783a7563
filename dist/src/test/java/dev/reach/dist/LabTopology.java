package dev.reach.dist;

import dev.reach.testkit.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The diagnosis lab: client 198.18.0.1 — router (198.18.0.254 | 198.18.1.254, ip_forward) — server 198.18.1.2,
 * wired only to each other. The server runs dnsmasq (web.lab.test = 198.18.1.2, txt-only.lab.test a TXT record
 * and no address, the rest of lab.test NXDOMAIN) and a python3 TCP listener on 8080. Scenarios change only
 * firewall rules and routes, and {@link #reset()} puts them back.
 */
final class LabTopology implements AutoCloseable {
    static final String SERVER = "198.18.1.2";
    static final String ROUTER_CLIENT_SIDE = "198.18.0.254";
    static final int WEB_PORT = 8080;

    final Netns lab = Netns.create();
    final String client;
    final String router;
    final String server;
    final Path dir;
    final Path resolvConf;
    final Path deadResolvConf;
    final Path hosts;
    final Path ca;
    final Netns.Link serverLink;
    private final List<Netns.Spawned> services = new ArrayList<>();

    LabTopology() throws IOException {
        try {
            client = lab.namespace("client");
            router = lab.namespace("router");
            server = lab.namespace("server");
            lab.link(client, "198.18.0.1/24", router, ROUTER_CLIENT_SIDE + "/24");
            serverLink = lab.link(router, "198.18.1.254/24", server, SERVER + "/24");
            lab.route(client, "198.18.1.0/24", ROUTER_CLIENT_SIDE);
            lab.route(server, "198.18.0.0/24", "198.18.1.254");
            lab.exec(router, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
            dir = Files.createTempDirectory("reach-lab-");
            resolvConf = Files.writeString(dir.resolve("resolv.conf"), "nameserver " + SERVER + "\n");
            deadResolvConf = Files.writeString(dir.resolve("resolv-dead.conf"), "nameserver 198.18.1.254\n");
            hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
            ca = LabCerts.make(dir);
            services.add(lab.spawn(server, "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                    "--bind-interfaces", "--listen-address=" + SERVER, "--port=53", "--pid-file=", "--user=root",
                    "--local=/lab.test/", "--host-record=web.lab.test," + SERVER,
                    "--txt-record=txt-only.lab.test,no-address-here", "--log-facility=-"));
            services.add(lab.spawn(server, "python3", "-c", LISTENER, SERVER, Integer.toString(WEB_PORT)));
            if (!services.getLast().awaitOutput("listening", Duration.ofSeconds(10))) {
                throw new IllegalStateException("the lab's TCP listener did not start: " + services.getLast().output());
            }
        } catch (RuntimeException | IOException e) {
            lab.close();
            throw e;
        }
    }

    /** A python3 TCP server: accepts and closes, forever (stopped by PID when the lab closes). */
    private static final String LISTENER = """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64); print('listening', flush=True)
            while True:
                c, _ = s.accept(); c.close()
            """;

    /** Flushes every rule the scenarios add, and the extra routes. */
    void reset() {
        for (String ns : List.of(client, router, server)) {
            lab.exec(ns, "iptables", "-F").orThrow();
            lab.exec(ns, "iptables", "-t", "mangle", "-F").orThrow();
        }
        lab.exec(client, "ip", "route", "del", "198.18.7.0/24");
        lab.exec(client, "ip", "route", "del", "prohibit", "198.18.8.0/24");
        lab.ip(router, "link", "set", serverLink.devA(), "mtu", "1500");
        lab.ip(server, "link", "set", serverLink.devB(), "mtu", "1500");
    }

    /** Starts openssl s_server on 198.18.1.2:8443 with one of {@link LabCerts}' certificates; close() stops it by PID. */
    Netns.Spawned tlsServer(String cert) {
        Netns.Spawned s = lab.spawn(server, "openssl", "s_server", "-accept", SERVER + ":8443", "-cert", dir.resolve(cert + ".pem").toString(),
                "-key", dir.resolve("server.key").toString(), "-quiet", "-www");
        waitForPort(8443, s);
        return s;
    }

    /** Starts a python3 process in the server namespace, waits until it prints 'ready'. */
    Netns.Spawned python(String code, String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", code));
        cmd.addAll(List.of(args));
        Netns.Spawned s = lab.spawn(server, cmd.toArray(String[]::new));
        if (!s.awaitOutput("ready", Duration.ofSeconds(10))) {
            s.close();
            throw new IllegalStateException("python3 did not start: " + s.output());
        }
        return s;
    }

    private void waitForPort(int port, Netns.Spawned s) {
        for (int i = 0; i < 50; i++) { // at most 5 s
            if (lab.exec(server, "ss", "-Hltn", "sport = :" + port).out().contains(":" + port)) return;
            if (!s.alive()) break;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        s.close();
        throw new IllegalStateException("nothing listens on " + port + ": " + s.output());
    }

    void iptables(String ns, String... rule) {
        List<String> cmd = new ArrayList<>(List.of("iptables"));
        cmd.addAll(List.of(rule));
        lab.exec(ns, cmd.toArray(String[]::new)).orThrow();
    }

    @Override
    public void close() {
        lab.close();
        // the lab's files (resolv.conf, hosts, certificates): a run should leave nothing in /tmp
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is harmless
        }
    }
}
