package dev.reach.plugins.host;

import dev.reach.plugins.host.Firewall.Chain;
import dev.reach.plugins.host.Firewall.Flow;
import dev.reach.plugins.host.Firewall.Outcome;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FirewallRulesProbeTest {
    private static final List<Chain> NFT = NftRuleset.parse(Samples.read("nft-ruleset.json"),
            NftRuleset.texts(Samples.read("nft-ruleset.txt")), new ArrayList<>());

    // readers on captured output

    @Test
    void nftTextGivesEachRuleByHandleWithoutCounters() {
        Map<String, String> t = NftRuleset.texts(Samples.read("nft-ruleset.txt"));
        assertThat(t).containsEntry("inet f input 4", "ip saddr 198.18.0.0/24 tcp dport { 8085, 8086 } drop")
                .containsEntry("ip filter INPUT 2", "tcp dport 8083 reject with tcp reset")
                .containsEntry("inet f sub 9", "tcp dport 1-1000 drop");
    }

    @Test
    void theDecidingRulesCounterIsFoundByItsChainAndText() {
        String listing = Samples.read("nft-ruleset.txt").replace("tcp dport 8083 counter packets 0 bytes 0", "tcp dport 8083 counter packets 7 bytes 420");
        assertThat(NftRuleset.counter(listing, "table ip filter chain INPUT", "tcp dport 8083 reject with tcp reset")).isEqualTo(7);
        assertThat(NftRuleset.counter(listing, "table inet f chain input", "ip saddr 198.18.0.0/24 tcp dport { 8085, 8086 } drop")).isZero();
        assertThat(NftRuleset.counter(listing, "table inet f chain input", "tcp dport 8083 reject with tcp reset")).as("another chain").isEqualTo(-1);
        assertThat(NftRuleset.counter(listing, "table inet f chain sub", "tcp dport 1-1000 drop")).as("a rule without a counter").isEqualTo(-1);
    }

    @Test
    void nftJsonGivesBaseAndRegularChains() {
        assertThat(NFT).extracting(Chain::where).containsExactlyInAnyOrder("table ip filter chain INPUT",
                "table inet f chain input", "table inet f chain sub", "table inet f chain out");
        Chain input = NFT.stream().filter(c -> c.name().equals("input")).findFirst().orElseThrow();
        assertThat(input.hook()).isEqualTo("input");
        assertThat(input.prio()).isEqualTo(10);
        assertThat(input.rules()).hasSize(6);
    }

    @Test
    void malformedNftJsonIsRefusedWithTheOffset() {
        assertThatThrownBy(() -> NftRuleset.parse(Samples.read("nft-malformed.json"), Map.of(), new ArrayList<>()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("malformed JSON at offset");
    }

    @Test
    void iptablesSaveSkipsNatAndReportsLinesItCannotRead() {
        List<String> bad = new ArrayList<>();
        List<Chain> chains = IptablesSave.parse(Samples.read("iptables-save-web.txt"), "ip", bad);
        assertThat(chains).extracting(Chain::where).containsExactly("table ip filter chain INPUT",
                "table ip filter chain FORWARD", "table ip filter chain OUTPUT", "table ip filter chain web");
        assertThat(chains.getFirst().policy()).isEqualTo("drop");
        assertThat(bad).containsExactly("-A INPUT -m comment --comment \"unterminated", "this is not an iptables line");
    }

    // the walk: first deciding rule, in hook and priority order

    @Test
    void nativeNftDropIsFoundAfterTheIptablesChainLetItPass() {
        Outcome o = Firewall.evaluate(NFT, flow("in", "tcp", "198.18.0.5", "198.18.0.2", 8085));
        assertThat(o.verdict()).isEqualTo("drop");
        assertThat(o.rule()).isEqualTo("ip saddr 198.18.0.0/24 tcp dport { 8085, 8086 } drop");
        assertThat(o.chain()).isEqualTo("table inet f chain input");
        // the iptables-nft rule with xt matches cannot be evaluated from JSON, and says so
        assertThat(o.maybes()).singleElement().asString().contains("iptables match multiport");
    }

    @Test
    void rejectCarriesItsType() {
        Outcome o = Firewall.evaluate(NFT, flow("in", "tcp", "198.18.0.5", "198.18.0.2", 8087));
        assertThat(o.verdict()).isEqualTo("reject");
        assertThat(o.detail()).isEqualTo("icmpx admin-prohibited");
    }

    @Test
    void jumpIntoARegularChainDecidesThere() {
        Outcome o = Firewall.evaluate(NFT, flow("in", "tcp", "fd00::5", "fd00::2", 22));
        assertThat(o.verdict()).isEqualTo("drop");
        assertThat(o.chain()).isEqualTo("table inet f chain sub");
        assertThat(o.trace()).contains("  matches table inet f chain input: ip6 saddr fd00::/8 jump sub");
    }

    @Test
    void outputPolicyDropIsTheVerdictWhenNoRuleAccepts() {
        Outcome o = Firewall.evaluate(NFT, flow("out", "tcp", "198.18.0.2", "198.18.0.1", 443));
        assertThat(o.verdict()).isEqualTo("drop");
        assertThat(o.byPolicy()).isTrue();
        assertThat(Firewall.evaluate(NFT, flow("out", "udp", "198.18.0.2", "198.18.0.1", 53)).verdict()).isEqualTo("accept");
    }

    @Test
    void interfaceOtherThanLoopbackCannotBeDecidedAndIsListed() {
        Outcome o = Firewall.evaluate(NFT, flow("in", "tcp", "198.18.1.5", "198.18.0.2", 9000));
        assertThat(o.verdict()).isEqualTo("accept");
        assertThat(o.maybes()).anyMatch(m -> m.contains("iifname \"eth9\" tcp dport 9000 drop"));
        var c = FirewallRulesProbe.classify(o, flow("in", "tcp", "198.18.1.5", "198.18.0.2", 9000));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isNull();
    }

    @Test
    void iptablesUserChainRejectAndPolicyDrop() {
        List<Chain> chains = IptablesSave.parse(Samples.read("iptables-save-web.txt"), "ip", new ArrayList<>());
        Outcome web = Firewall.evaluate(chains, flow("in", "tcp", "198.18.0.7", "198.18.0.2", 80));
        assertThat(web.verdict()).isEqualTo("reject");
        assertThat(web.detail()).isEqualTo("icmp-host-prohibited");
        assertThat(web.rule()).isEqualTo("-A web -s 198.18.0.7/32 -j REJECT --reject-with icmp-host-prohibited");
        Outcome ssh = Firewall.evaluate(chains, flow("in", "tcp", "198.18.0.3", "198.18.0.2", 22));
        assertThat(ssh.verdict()).isEqualTo("drop");
        assertThat(ssh.rule()).isEqualTo("policy drop");
    }

    @Test
    void negatedSourceMatchesOutsiders() {
        List<Chain> chains = IptablesSave.parse(Samples.read("iptables-save-web.txt"), "ip", new ArrayList<>());
        Outcome o = Firewall.evaluate(chains, flow("in", "tcp", "127.0.0.5", "127.0.0.1", 80));
        // "! -s 198.18.0.0/15 -p tcp --syn -j DROP" matches all but --syn, which cannot be told: undecided, not a verdict
        assertThat(o.maybes()).anyMatch(m -> m.contains("--syn"));
        assertThat(o.verdict()).isEqualTo("accept");
    }

    @Test
    void realIptablesNftSaveMatchesMultiportRanges() {
        List<Chain> chains = IptablesSave.parse(Samples.read("iptables-save.txt"), "ip", new ArrayList<>());
        Outcome o = Firewall.evaluate(chains, flow("in", "tcp", "198.18.0.3", "198.18.0.2", 8091));
        assertThat(o.verdict()).isEqualTo("drop");
        assertThat(o.rule()).contains("--dports 8084,8090:8095");
        assertThat(Firewall.evaluate(chains, flow("in", "udp", "198.18.0.3", "198.18.0.2", 8091)).verdict()).isEqualTo("accept");
    }

    // classify

    @Test
    void dropByARuleIsFirewallLocalWithTheRuleAndItsChain() {
        Flow f = flow("in", "tcp", "198.18.0.5", "198.18.0.2", 8085);
        var c = FirewallRulesProbe.classify(Firewall.evaluate(NFT, f), f);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("firewall.local");
        assertThat(c.summary()).startsWith("in tcp 198.18.0.5 -> 198.18.0.2 port 8085 is dropped by "
                + "\"ip saddr 198.18.0.0/24 tcp dport { 8085, 8086 } drop\" (table inet f chain input)");
    }

    @Test
    void noChainOnTheWayIsOk() {
        Flow f = flow("forward", "tcp", "198.18.0.5", "198.18.0.2", 80);
        var c = FirewallRulesProbe.classify(Firewall.evaluate(List.of(), f), f);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).endsWith("no firewall chain filters this direction");
    }

    private static Flow flow(String dir, String proto, String src, String dst, int port) {
        InetAddress s = InetAddress.ofLiteral(src);
        return new Flow(dir, proto, s, InetAddress.ofLiteral(dst), port, s instanceof java.net.Inet6Address);
    }
}
