package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * firewall.rules in a server namespace holding real rules of both kinds: a native nftables table that
 * drops 8082 and rejects 8084 with a TCP reset, and an iptables rule that rejects 8083. Each verdict is
 * first checked against what a real connection from the client namespace meets.
 */
class FirewallRulesProbeIT {
    private static final String CONNECT = """
            import socket, sys
            s = socket.socket(); s.settimeout(1.0)
            try:
                s.connect((sys.argv[1], int(sys.argv[2]))); print('connected')
            except socket.timeout: print('timeout')
            except ConnectionRefusedError: print('refused')
            """;
    private static Netns lab;
    private static String server;
    private static String client;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "nft", "iptables", "iptables-save", "python3");
        lab = Netns.create();
        server = lab.namespace("srv");
        client = lab.namespace("cli");
        lab.link(client, "198.18.0.1/24", server, "198.18.0.2/24");
        lab.exec(server, "nft", "add", "table", "inet", "t").orThrow();
        lab.exec(server, "nft", "add", "chain", "inet", "t", "input", "{ type filter hook input priority 0; policy accept; }").orThrow();
        lab.exec(server, "nft", "add", "rule", "inet", "t", "input", "tcp", "dport", "8082", "drop").orThrow();
        lab.exec(server, "nft", "add", "rule", "inet", "t", "input", "tcp", "dport", "8084", "reject", "with", "tcp", "reset").orThrow();
        lab.exec(server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8083", "-j", "REJECT").orThrow();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void droppedPortIsFirewallLocalNamingTheNftRule() {
        assertThat(connect(8082)).isEqualTo("timeout");
        var r = probe("port=8082");
        assertThat(r.cause()).as(r.toString()).isEqualTo("firewall.local");
        assertThat(r.facts()).containsEntry("verdict", "drop").containsEntry("rule", "tcp dport 8082 drop")
                .containsEntry("chain", "table inet t chain input");
    }

    @Test
    void rejectedPortIsFirewallLocalNamingTheIptablesRule() {
        assertThat(connect(8083)).isEqualTo("refused");
        var r = probe("port=8083");
        assertThat(r.cause()).as(r.toString()).isEqualTo("firewall.local");
        assertThat(r.facts()).containsEntry("verdict", "reject").containsEntry("backend", "nft+iptables")
                .containsEntry("rule", "-A INPUT -p tcp -m tcp --dport 8083 -j REJECT --reject-with icmp-port-unreachable")
                .containsEntry("chain", "table ip filter chain INPUT");
    }

    @Test
    void rejectWithTcpResetSaysSo() {
        assertThat(connect(8084)).isEqualTo("refused");
        var r = probe("port=8084");
        assertThat(r.cause()).as(r.toString()).isEqualTo("firewall.local");
        assertThat(r.summary()).contains("is rejected (tcp reset) by \"tcp dport 8084 reject with tcp reset\"");
    }

    @Test
    void portNoRuleTouchesIsAcceptedByPolicy() {
        var r = probe("port=8080");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("verdict", "accept").containsEntry("rule", "policy accept");
    }

    @Test
    void outgoingFlowPassesTheOutputChainOnly() {
        // the input rules do not apply; iptables' empty OUTPUT chain accepts by policy
        var r = probe("direction=out", "port=8082");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("chain", "table ip filter chain OUTPUT").containsEntry("rule", "policy accept");
    }

    private static String connect(int port) {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        return lab.exec(client, python, "-c", CONNECT, "198.18.0.2", String.valueOf(port)).orThrow().out().strip();
    }

    private static RunProbeMain.Line probe(String... extra) {
        String[] base = {"proto=tcp", "src=198.18.0.1", "dst=198.18.0.2"};
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra)).toArray(String[]::new);
        return RunProbeMain.runIn(lab, server, FirewallRulesProbe.class, all);
    }
}
