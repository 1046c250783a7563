package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tunnel.status on real devices in a namespace lab: a VXLAN pair a (198.18.20.1) — b (198.18.20.2) over a veth
 * underlay of MTU 1400 (198.18.9.1 — 198.18.9.2), a tun device no program holds, an IPsec policy with no SA, and
 * WireGuard where the kernel has it.
 */
class TunnelStatusProbeIT {
    private static Netns lab;
    private static String a;
    private static String b;
    private static String underlay;

    @BeforeAll
    static void build() {
        Root.assumeRootWith("ip");
        Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/dev/net/tun")), "no /dev/net/tun here: tun devices cannot be made");
        lab = Netns.create();
        a = lab.namespace("a");
        b = lab.namespace("b");
        Netns.Link link = lab.link(a, "198.18.9.1/24", b, "198.18.9.2/24");
        underlay = link.devA();
        lab.ip(a, "link", "set", link.devA(), "mtu", "1400").orThrow();
        lab.ip(b, "link", "set", link.devB(), "mtu", "1400").orThrow();
        // a's end is not bound to its underlay (no dev): the kernel then lets its MTU exceed what the underlay carries,
        // and the probe finds the underlay by the route to the remote end
        lab.ip(a, "link", "add", "vx0", "type", "vxlan", "id", "42", "remote", "198.18.9.2", "local", "198.18.9.1", "dstport", "4789").orThrow();
        lab.ip(b, "link", "add", "vx0", "type", "vxlan", "id", "42", "remote", "198.18.9.1", "local", "198.18.9.2", "dev", link.devB(), "dstport", "4789").orThrow();
        lab.ip(a, "addr", "add", "198.18.20.1/24", "dev", "vx0").orThrow();
        lab.ip(b, "addr", "add", "198.18.20.2/24", "dev", "vx0").orThrow();
        lab.ip(a, "link", "set", "vx0", "mtu", "1350", "up").orThrow();
        lab.ip(b, "link", "set", "vx0", "up").orThrow();
        lab.ip(a, "tuntap", "add", "mode", "tun", "dev", "tun7").orThrow();
        lab.ip(a, "link", "set", "tun7", "up").orThrow();
        lab.ip(a, "route", "add", "198.18.30.0/24", "dev", "tun7").orThrow();
        lab.route(a, "198.18.40.0/24", "198.18.9.2");
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
    }

    @Test
    void aVxlanMtuWithoutRoomForItsHeadersIsOverlayMtu() {
        lab.ip(a, "link", "set", "vx0", "mtu", "1500").orThrow();
        try {
            var r = probe("host=198.18.20.2");
            assertThat(r.cause()).as(r.toString()).isEqualTo("overlay.mtu");
            assertThat(r.facts()).containsEntry("interface", "vx0").containsEntry("kind", "vxlan").containsEntry("overhead", "50")
                    .containsEntry("underlay", underlay).containsEntry("underlay_mtu", "1400");
            assertThat(r.summary()).contains("set vx0's MTU to 1350 or less");
        } finally {
            lab.ip(a, "link", "set", "vx0", "mtu", "1350").orThrow();
        }
    }

    @Test
    void aVxlanThatLeavesRoomIsOk() {
        var r = probe("host=198.18.20.2");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.summary()).startsWith("vx0 (vxlan) is up and leaves room for its outer headers");
        assertThat(r.facts()).containsEntry("mtu", "1350");
    }

    @Test
    void aTunNoProgramHoldsIsTunnelDown() {
        var r = probe("host=198.18.30.5");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tunnel.down");
        assertThat(r.facts()).containsEntry("interface", "tun7").containsEntry("kind", "tun");
    }

    @Test
    void anIpsecPolicyWithoutItsSaIsIpsecNoSa() {
        lab.exec(a, "ip", "xfrm", "policy", "add", "src", "198.18.9.1/32", "dst", "198.18.40.0/24", "dir", "out",
                "tmpl", "src", "198.18.9.1", "dst", "198.18.9.2", "proto", "esp", "reqid", "7", "mode", "tunnel").orThrow();
        try {
            var r = probe("host=198.18.40.5");
            assertThat(r.cause()).as(r.toString()).isEqualTo("ipsec.no-sa");
            assertThat(r.facts().get("ipsec_policy")).isEqualTo("198.18.9.1/32 -> 198.18.40.0/24 dir out via esp 198.18.9.1 -> 198.18.9.2 (tunnel, reqid 7)");
            var plain = probe("host=198.18.9.2");
            assertThat(plain.status()).as("no policy covers the underlay itself").isEqualTo("ok");
            assertThat(plain.summary()).contains("is not a tunnel or overlay device");
        } finally {
            lab.exec(a, "ip", "xfrm", "policy", "flush");
        }
    }

    /** A static-key ESP SA serving the policy: ok, with the SA and its counters. Kernels without ESP refuse the SA: skipped. */
    @Test
    void anIpsecPolicyWithItsSaIsOk() {
        lab.exec(a, "ip", "xfrm", "policy", "add", "src", "198.18.9.1/32", "dst", "198.18.41.0/24", "dir", "out",
                "tmpl", "src", "198.18.9.1", "dst", "198.18.9.2", "proto", "esp", "reqid", "11", "mode", "tunnel").orThrow();
        try {
            var sa = lab.exec(a, "ip", "xfrm", "state", "add", "src", "198.18.9.1", "dst", "198.18.9.2", "proto", "esp", "spi", "0x1100",
                    "reqid", "11", "mode", "tunnel", "auth", "hmac(sha256)", "0x" + "11".repeat(32), "enc", "cbc(aes)", "0x" + "22".repeat(16));
            Assumptions.assumeTrue(sa.ok(), "this kernel cannot hold an ESP SA (ip xfrm state add: " + sa.err().strip() + ")");
            lab.route(a, "198.18.41.0/24", "198.18.9.2");
            var r = probe("host=198.18.41.5", "interval=200ms");
            assertThat(r.status()).as(r.toString()).isEqualTo("ok");
            assertThat(r.facts().get("ipsec_sa")).isEqualTo("esp 198.18.9.1 -> 198.18.9.2 spi 0x00001100");
            assertThat(r.facts()).containsKeys("sa_bytes", "sa_moving");
            assertThat(String.join("\n", r.evidence())).doesNotContain("1111111111");
        } finally {
            lab.exec(a, "ip", "xfrm", "state", "flush");
            lab.exec(a, "ip", "xfrm", "policy", "flush");
        }
    }

    /**
     * WireGuard between a and b in user space (wireguard-go: this kernel may have no WireGuard module), 198.18.50.1 —
     * 198.18.50.2 over the underlay; a second peer of a's, for 198.18.51.0/24, at an endpoint where nothing answers.
     */
    @Test
    void wireguardPeersAreJudgedByTheirHandshake() throws Exception {
        Assumptions.assumeTrue(lab.exec(a, "sh", "-c", "command -v wireguard-go && command -v wg").ok(),
                "wireguard-go and wg (packages wireguard-go, wireguard-tools) are not installed");
        // their control sockets are in /var/run/wireguard, shared by every namespace: names of this run's own
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        String wa = "wga" + suffix;
        String wb = "wgb" + suffix;
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("reach-wg-");
        try (var ga = lab.spawn(a, "wireguard-go", "-f", wa); var gb = lab.spawn(b, "wireguard-go", "-f", wb)) {
            awaitDevice(a, wa);
            awaitDevice(b, wb);
            String ka = lab.exec(a, "wg", "genkey").orThrow().out().strip();
            String kb = lab.exec(a, "wg", "genkey").orThrow().out().strip();
            String kc = lab.exec(a, "wg", "genkey").orThrow().out().strip();
            java.nio.file.Files.writeString(dir.resolve("a"), ka + "\n");
            java.nio.file.Files.writeString(dir.resolve("b"), kb + "\n");
            java.nio.file.Files.writeString(dir.resolve("c"), kc + "\n");
            String pa = publicKey(dir.resolve("a"));
            String pb = publicKey(dir.resolve("b"));
            String pc = publicKey(dir.resolve("c"));
            lab.exec(a, "wg", "set", wa, "private-key", dir.resolve("a").toString(), "listen-port", "51820",
                    "peer", pb, "endpoint", "198.18.9.2:51820", "allowed-ips", "198.18.50.2/32",
                    "peer", pc, "endpoint", "198.18.9.2:51899", "allowed-ips", "198.18.51.0/24").orThrow();
            lab.exec(b, "wg", "set", wb, "private-key", dir.resolve("b").toString(), "listen-port", "51820",
                    "peer", pa, "endpoint", "198.18.9.1:51820", "allowed-ips", "198.18.50.1/32").orThrow();
            lab.ip(a, "addr", "add", "198.18.50.1/24", "dev", wa).orThrow();
            lab.ip(b, "addr", "add", "198.18.50.2/24", "dev", wb).orThrow();
            lab.ip(a, "link", "set", wa, "up").orThrow();
            lab.ip(b, "link", "set", wb, "up").orThrow();
            lab.ip(a, "route", "add", "198.18.51.0/24", "dev", wa).orThrow();

            // WireGuard's default MTU, 1420, leaves room for its 80 bytes over a 1500 underlay: this one carries 1400
            var big = probe("host=198.18.50.2");
            assertThat(big.cause()).as(big.toString()).isEqualTo("overlay.mtu");
            assertThat(big.summary()).contains("set " + wa + "'s MTU to 1340 or less");
            lab.ip(a, "link", "set", wa, "mtu", "1340").orThrow();
            lab.ip(b, "link", "set", wb, "mtu", "1340").orThrow();

            var ok = probe("host=198.18.50.2");
            assertThat(ok.status()).as("a handshake within 180 s: " + ok).isEqualTo("ok");
            assertThat(ok.facts()).containsEntry("kind", "wireguard").containsEntry("remote", "198.18.9.2").containsEntry("overhead", "60");
            assertThat(Long.parseLong(ok.facts().get("handshake_age_s"))).isBetween(0L, 5L);

            var dead = probe("host=198.18.51.5");
            assertThat(dead.cause()).as(dead.toString()).isEqualTo("tunnel.no-handshake");
            assertThat(dead.summary()).contains("at 198.18.9.2:51899 has never completed a handshake");
            assertThat(dead.toString() + dead.facts() + dead.evidence()).doesNotContain(ka).doesNotContain(kc);
        } finally {
            try (var files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The public key of the private key in {@code file} (never on a command line). */
    private static String publicKey(java.nio.file.Path file) {
        return lab.exec(a, "sh", "-c", "wg pubkey < \"$0\"", file.toString()).orThrow().out().strip();
    }

    private static void awaitDevice(String ns, String device) throws InterruptedException {
        for (int i = 0; i < 50; i++) { // at most 5 s
            if (lab.exec(ns, "ip", "link", "show", "dev", device).ok()) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("wireguard-go made no device " + device + " in 5 s");
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, a, TunnelStatusProbe.class, keyValues);
    }
}
