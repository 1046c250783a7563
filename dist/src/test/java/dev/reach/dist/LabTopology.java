package dev.reach.dist;

import dev.reach.testkit.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The diagnosis lab, wired only to itself:
 * <pre>
 *  client 198.18.0.1 ── 198.18.0.254 router 198.18.1.254 ── 198.18.1.2 server (+ .3, a nameserver that never answers)
 *         198.18.4.1 ── 198.18.4.254 dead     198.18.3.254 ── 198.18.3.2 server (a second link: rp_filter)
 *         198.18.10.1 ─┬─ 198.18.10.254 router (a LAN on a bridge in the switch namespace)
 *                      └─ 198.18.10.254 imposter (a second machine that claims the gateway's address)
 * </pre>
 * The client routes 198.18.1.0/24 and 198.18.3.0/24 via the router, 198.18.9.0/24 via "dead" and 198.18.11.0/24 via
 * the LAN's gateway. The server runs dnsmasq on 198.18.1.2 (web.lab.test = 198.18.1.2, txt-only.lab.test a TXT record
 * and no address, the rest of lab.test NXDOMAIN, other names REFUSED) and an HTTP server on every address, port 8080
 * ({@code /} answers 200, anything else 404). The client namespace has its own /etc/resolv.conf and /etc/hosts
 * ({@link #systemResolver}), so the system resolver is the real one. Scenarios change rules, routes and links;
 * {@link #reset()} puts them back.
 */
final class LabTopology implements AutoCloseable {
    static final String SERVER = "198.18.1.2";
    static final String SILENT_NAMESERVER = "198.18.1.3";
    static final String SERVER_SECOND = "198.18.3.2";
    static final String ROUTER_CLIENT_SIDE = "198.18.0.254";
    static final int WEB_PORT = 8080;
    static final String LINK_DOWN_TARGET = "198.18.9.2";
    static final String BEHIND_LAN_GATEWAY = "198.18.11.1";
    private static final int DELAY_TABLE = 100;

    final Netns lab = Netns.create();
    final String client;
    final String router;
    final String server;
    final String dead;
    final String imposter;
    final Path dir;
    final Path resolvConf;
    final Path deadResolvConf;
    final Path slowResolvConf;
    final Path hosts;
    final Path ca;
    final Netns.Link clientLink;
    final Netns.Link serverLink;
    final Netns.Link serverSecondLink;
    final Netns.Link deadLink;
    private final List<Netns.Spawned> services = new ArrayList<>();

    LabTopology() throws IOException {
        try {
            client = lab.namespace("client");
            router = lab.namespace("router");
            server = lab.namespace("server");
            dead = lab.namespace("dead");
            imposter = lab.namespace("impos");
            String sw = lab.namespace("switch");
            clientLink = lab.link(client, "198.18.0.1/24", router, ROUTER_CLIENT_SIDE + "/24");
            serverLink = lab.link(router, "198.18.1.254/24", server, SERVER + "/24");
            serverSecondLink = lab.link(router, "198.18.3.254/24", server, SERVER_SECOND + "/24");
            deadLink = lab.link(client, "198.18.4.1/24", dead, "198.18.4.254/24");
            lab.lan(sw, client, "198.18.10.1/24", router, "198.18.10.254/24", imposter, "198.18.10.254/24");
            lab.address(server, serverLink.devB(), SILENT_NAMESERVER + "/24");
            lab.route(client, "198.18.1.0/24", ROUTER_CLIENT_SIDE);
            lab.route(client, "198.18.3.0/24", ROUTER_CLIENT_SIDE);
            lab.route(client, "198.18.9.0/24", "198.18.4.254");
            lab.route(client, "198.18.11.0/24", "198.18.10.254");
            lab.route(server, "198.18.0.0/24", "198.18.1.254");   // also the way back for clients that come in by 198.18.3.2
            lab.exec(router, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
            // no ICMP rate limit: scenarios run back to back and each may ask for many errors
            for (String ns : List.of(router, server)) lab.exec(ns, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0").orThrow();
            dir = Files.createTempDirectory("reach-lab-");
            resolvConf = Files.writeString(dir.resolve("resolv.conf"), "nameserver " + SERVER + "\n");
            deadResolvConf = Files.writeString(dir.resolve("resolv-dead.conf"), "nameserver 198.18.1.254\n");
            slowResolvConf = Files.writeString(dir.resolve("resolv-slow.conf"),
                    "nameserver " + SILENT_NAMESERVER + "\nnameserver " + SERVER + "\noptions timeout:1 attempts:1\n");
            hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
            systemResolver("");
            ca = LabCerts.make(dir);
            services.add(lab.spawn(server, "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                    "--bind-interfaces", "--listen-address=" + SERVER, "--port=53", "--pid-file=", "--user=root",
                    "--local=/lab.test/", "--host-record=web.lab.test," + SERVER,
                    "--txt-record=txt-only.lab.test,no-address-here", "--log-facility=-"));
            services.add(python(HTTP, "0.0.0.0", Integer.toString(WEB_PORT), "0"));
            // the path through the router answers before the first scenario: one run right after the lab was made heard
            // nothing from the router it waited 5 s for (once, in a full suite; not seen since)
            boolean up = false;
            for (int i = 0; i < 10 && !up; i++) {
                up = lab.exec(client, "ping", "-q", "-n", "-c", "1", "-W", "1", SERVER).ok();
            }
            if (!up) {
                throw new IllegalStateException("the lab's path from the client to " + SERVER + " does not answer ping");
            }
            // the first scenario that waited for the router's ICMP host-unreachable right after the lab was made heard
            // nothing in 5 s, twice in full suites (never alone): the router is asked for one now, for an address
            // nothing holds (its ARP fails after ~3 s), so the scenarios meet a router that has sent one. A mitigation:
            // the cause is not known.
            for (int i = 0; i < 2; i++) {
                if (lab.exec(client, "ping", "-n", "-c", "1", "-W", "5", "198.18.1.98").out().contains("Unreachable")) break;
            }
        } catch (RuntimeException | IOException e) {
            lab.close();
            throw e;
        }
    }

    /**
     * An HTTP/1.0 server on ADDRESS PORT, a thread per connection: {@code /} answers 200 "ok", other paths 404; its Date header is its clock
     * plus OFFSET seconds. Prints 'ready' once it listens.
     */
    static final String HTTP = """
            import sys, time, email.utils, http.server
            offset = int(sys.argv[3])
            class H(http.server.BaseHTTPRequestHandler):
                timeout = 5   # a connection whose request never arrives (a black hole's) ends, as in real servers
                def date_time_string(self, timestamp=None):
                    return email.utils.formatdate(time.time() + offset, usegmt=True)
                def do_HEAD(self):
                    ok = self.path.split('?')[0] == '/'
                    self.send_response(200 if ok else 404); self.send_header('Content-Length', '2' if ok else '9'); self.end_headers()
                    return ok
                def do_GET(self):
                    self.wfile.write(b'ok' if self.do_HEAD() else b'not found')
                def log_message(self, *a):
                    pass
            s = http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H); print('ready', flush=True); s.serve_forever()
            """;

    /**
     * A delay box on a TUN device: reads each packet the kernel routes into {@code dly0} and writes it back DELAY_MS
     * later, when the kernel forwards it on. Prints 'ready' once the device exists. A userspace delay: this kernel has
     * no netem.
     */
    private static final String DELAY_BOX = """
            import fcntl, heapq, os, select, struct, sys, time
            fd = os.open('/dev/net/tun', os.O_RDWR)
            fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', b'dly0', 0x0001 | 0x1000))   # TUNSETIFF: IFF_TUN | IFF_NO_PI
            print('ready', flush=True)
            delay, queue, seq = int(sys.argv[1]) / 1000.0, [], 0
            while True:
                wait = max(0.0, queue[0][0] - time.monotonic()) if queue else None
                if select.select([fd], [], [], wait)[0]:
                    heapq.heappush(queue, (time.monotonic() + delay, seq, os.read(fd, 65535))); seq += 1
                while queue and queue[0][0] <= time.monotonic():
                    os.write(fd, heapq.heappop(queue)[2])
            """;

    /**
     * What the client's system resolver reads: its /etc/resolv.conf names the lab's nameserver (with a short
     * timeout), its /etc/hosts holds localhost and the given lines.
     */
    void systemResolver(String hostsLines) {
        lab.etc(client, "resolv.conf", "nameserver " + SERVER + "\noptions timeout:1 attempts:1\n");
        lab.etc(client, "hosts", "127.0.0.1 localhost\n" + hostsLines);
    }

    /** Puts back everything the scenarios change. */
    void reset() {
        for (String ns : List.of(client, router, server)) {
            lab.exec(ns, "iptables", "-F").orThrow();
            lab.exec(ns, "iptables", "-t", "mangle", "-F").orThrow();
        }
        lab.exec(client, "ip", "route", "del", "198.18.7.0/24");
        lab.exec(client, "ip", "route", "del", "198.18.6.0/24");
        lab.exec(client, "ip", "route", "del", "prohibit", "198.18.8.0/24");
        lab.exec(router, "ip", "route", "replace", "198.18.1.0/24", "dev", serverLink.devA());
        lab.exec(router, "ip", "rule", "del", "pref", "100");
        lab.exec(client, "ip", "neigh", "flush", "dev", lanDevice());
        lab.ip(dead, "link", "set", deadLink.devB(), "up");
        lab.exec(server, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
        lab.exec(server, "sysctl", "-qw", "net.ipv4.conf." + serverSecondLink.devB() + ".rp_filter=0");
        systemResolver("");
        // a segment a blackhole left unsent is still retried after the scenario, and its frag-needed, no longer
        // dropped, teaches the ends a smaller path MTU for ten minutes: forget it
        for (String ns : List.of(client, router, server)) lab.exec(ns, "ip", "route", "flush", "cache");
    }

    /** The router's route onward to the server gets MTU 1280 (a smaller link beyond it), and its frag-needed never leaves. */
    void mtuStep() {
        lab.exec(router, "ip", "route", "replace", "198.18.1.0/24", "dev", serverLink.devA(), "mtu", "lock", "1280").orThrow();
        iptables(router, "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP");
    }

    /** Delays every packet from the client to the server's network by the given time, beyond the router; close() ends it. */
    Netns.Spawned delayBeyondTheRouter(int millis) {
        Netns.Spawned box = lab.spawn(router, "python3", "-c", DELAY_BOX, Integer.toString(millis));
        if (!box.awaitOutput("ready", Duration.ofSeconds(10))) {
            box.close();
            throw new IllegalStateException("the delay box did not start: " + box.output());
        }
        lab.ip(router, "link", "set", "dly0", "up");
        for (String dev : List.of("all", "dly0")) lab.exec(router, "sysctl", "-qw", "net.ipv4.conf." + dev + ".rp_filter=0").orThrow();
        lab.exec(router, "ip", "route", "replace", "default", "dev", "dly0", "table", Integer.toString(DELAY_TABLE)).orThrow();
        lab.exec(router, "ip", "rule", "add", "pref", "100", "iif", clientLink.devB(), "to", "198.18.1.0/24",
                "lookup", Integer.toString(DELAY_TABLE)).orThrow();
        return box;
    }

    /** The client's device on the bridged LAN. */
    String lanDevice() {
        return lab.exec(client, "ip", "-o", "-4", "addr", "show", "to", "198.18.10.1/32").orThrow().out().split("\\s+")[1];
    }

    /** The MAC of the imposter's LAN device, which claims the LAN gateway's address too. */
    String imposterMac() {
        String dev = lab.exec(imposter, "ip", "-o", "-4", "addr", "show", "to", "198.18.10.254/32").orThrow().out().split("\\s+")[1];
        return lab.exec(imposter, "cat", "/sys/class/net/" + dev + "/address").orThrow().out().strip();
    }

    /** Starts openssl s_server on 198.18.1.2:PORT with one of {@link LabCerts}' certificates and OPTIONS; close() stops it by PID. */
    Netns.Spawned tlsServer(String cert, int port, String... options) {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", SERVER + ":" + port, "-cert", dir.resolve(cert + ".pem").toString(),
                "-key", dir.resolve("server.key").toString(), "-quiet", "-www"));
        cmd.addAll(List.of(options));
        Netns.Spawned s = lab.spawn(server, cmd.toArray(String[]::new));
        waitForPort(port, s);
        return s;
    }

    Netns.Spawned tlsServer(String cert) {
        return tlsServer(cert, 8443);
    }

    /** Starts a python3 process in the server namespace, waits until it prints 'ready'. */
    Netns.Spawned python(String code, String... args) {
        return pythonIn(server, code, args);
    }

    /** Starts a python3 process in a namespace of the lab, waits until it prints 'ready'. */
    Netns.Spawned pythonIn(String ns, String code, String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", code));
        cmd.addAll(List.of(args));
        Netns.Spawned s = lab.spawn(ns, cmd.toArray(String[]::new));
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
