package dev.reach.shell.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ServerJoinTest {
    private static RunResult a(String cause) {
        Verdict v = new Verdict(cause, Confidence.LIKELY, "A's summary", "A's fix", List.of("connect: no answer"), List.of("connect"), true);
        return new RunResult("unreachable", "", Map.of("host", "198.18.1.2", "port", "8080"), List.of(), v, Instant.now(), Duration.ofMillis(5), false);
    }

    private static ServerVia.View b(String cause, String outcome) throws Exception {
        String json = """
                {"schema": "reach.run/1", "verdict": {"cause": "%s", "confidence": "certain", "summary": "B's summary", "fix": "B's fix",
                 "evidence": ["flow: what B saw"]},
                 "steps": [{"id": "server", "children": [{"id": "flow", "status": "fail", "summary": "SYN arrived",
                   "facts": {"outcome": "%s", "client": "198.18.0.1", "in_interfaces": ["eth0"]}, "children": []}]}]}
                """.formatted(cause, outcome);
        return new ServerVia.View(Optional.of(new ObjectMapper().readTree(json)), "", List.of("ip", "netns", "exec", "B", "reach"));
    }

    @Test
    void aCauseOnlyTheServerCanSeeBecomesTheVerdictWithBothSidesEvidence() throws Exception {
        RunResult j = ServerJoin.join(a("tcp.filtered"), b("firewall.local", "unanswered"), "ip netns exec B");
        assertThat(j.verdict().cause()).isEqualTo("firewall.local");
        assertThat(j.verdict().confidence()).isEqualTo(Confidence.CERTAIN);
        assertThat(j.verdict().summary()).isEqualTo("On B: B's summary (A alone: tcp.filtered)");
        assertThat(j.verdict().fix()).isEqualTo("B's fix");
        assertThat(j.verdict().evidence()).contains("[B] flow: what B saw", "[A] connect: no answer");
        assertThat(j.verdict().supportedBy()).contains("connect", "server");
        assertThat(j.steps()).last().satisfies(s -> {
            assertThat(s.id()).isEqualTo("server");
            assertThat(s.observation().facts()).containsEntry("flow_outcome", "unanswered").containsEntry("flow_in_interfaces", List.of("eth0"));
        });
    }

    @Test
    void nothingArrivingWhileTheClientConnectedIsPathFiltered() throws Exception {
        Verdict v = ServerJoin.join(a("tcp.filtered"), b("path.filtered", "none"), "ssh b").verdict();
        assertThat(v.cause()).isEqualTo("path.filtered");
        assertThat(v.summary()).contains("never reached B").contains("saw nothing from 198.18.0.1").contains("(A alone said tcp.filtered)");
        assertThat(v.fix()).contains("reach probe path.trace host=198.18.1.2 method=tcp port=8080");
    }

    @Test
    void nothingArrivingBecauseNothingLeftTheClientIsTheClientsOwnDrop() throws Exception {
        var egress = new dev.reach.core.run.StepResult("egress", "probe", "flow.watch", Map.of(),
                dev.reach.spi.Observation.fail("firewall.local", "no SYN to 198.18.1.2 tcp port 8080 left this host in 1500ms: the kernel here dropped 2 packet(s)")
                        .fact("outcome", "none").evidence("kernel drop: NETFILTER_DROP ×2 at nft_do_chain+0x4/0x6").build(), "", List.of());
        RunResult a = a("tcp.filtered");
        a = new RunResult(a.playbook(), a.source(), a.inputs(), List.of(egress), a.verdict(), a.started(), a.duration(), false);
        Verdict v = ServerJoin.join(a, b("path.filtered", "none"), "ssh b").verdict();
        assertThat(v.cause()).isEqualTo("firewall.local");
        assertThat(v.summary()).startsWith("A's packets to port 8080 never left A: no SYN").contains("B saw nothing from it either");
        assertThat(v.evidence()).contains("[A] kernel drop: NETFILTER_DROP ×2 at nft_do_chain+0x4/0x6");
        assertThat(v.fix()).contains("netdev");
    }

    @Test
    void theServersPacketTimesAreSaidOnTheClientsRunsClock() {
        java.time.Instant watching = java.time.Instant.parse("2026-12-06T10:00:00Z");
        java.time.Instant started = watching.plusMillis(150);
        assertThat(ServerJoin.onAsClock("330.0 ms in  eth0 SYN 198.18.0.1:40000 > 198.18.1.2:8080", watching, started))
                .isEqualTo("at 180.0 ms of A's run: in eth0 SYN 198.18.0.1:40000 > 198.18.1.2:8080");
        assertThat(ServerJoin.onAsClock("  330.0 ms out eth1 SYN-ACK", watching, started)).isEqualTo("  at 180.0 ms of A's run: out eth1 SYN-ACK");
        assertThat(ServerJoin.onAsClock("kernel drop: NETFILTER_DROP ×1 at nft_do_chain", watching, started)).startsWith("kernel drop");
        assertThat(ServerJoin.onAsClock("330.0 ms in  eth0 SYN", null, started)).isEqualTo("330.0 ms in  eth0 SYN");
    }

    @Test
    void aWorkingConnectionStaysOkAndTheServersAbsenceOnlyAddsWhy() throws Exception {
        Verdict ok = ServerJoin.join(a("ok"), b("firewall.local", "established"), "ssh b").verdict();
        assertThat(ok.cause()).isEqualTo("ok");
        assertThat(ok.evidence()).last().asString().startsWith("[B] flow.watch: SYN arrived");
        Verdict absent = ServerJoin.join(a("tcp.filtered"), ServerVia.View.absent("it ended (exit 127) before watching: reach: not found",
                List.of("ssh", "b", "reach")), "ssh b").verdict();
        assertThat(absent.cause()).isEqualTo("tcp.filtered");
        assertThat(absent.evidence()).last().isEqualTo("[B] the server's view is absent: it ended (exit 127) before watching: reach: not found");
    }

    @Test
    void nothingFromTheClientsAddressButSynsFromAnotherIsNotPathFiltered() throws Exception {
        String json = """
                {"schema": "reach.run/1", "verdict": {"cause": "path.filtered", "confidence": "likely", "summary": "nothing", "fix": "",
                 "evidence": []}, "steps": [{"id": "flow", "facts": {"outcome": "none", "others": ["198.19.7.7"]}, "children": []}]}
                """;
        var b = new ServerVia.View(Optional.of(new ObjectMapper().readTree(json)), "", List.of("ssh", "b"));
        Verdict v = ServerJoin.join(a("tcp.filtered"), b, "ssh b").verdict();
        assertThat(v.cause()).isEqualTo("tcp.filtered");
        assertThat(v.evidence()).last().asString().contains("SYNs to the port came from 198.19.7.7").contains("NAT");
    }

    @Test
    void aFaultBeforeAnyPacketLeftTheClientStandsWhateverTheServerSaw() throws Exception {
        Verdict v = ServerJoin.join(a("dns.nxdomain"), b("path.filtered", "none"), "ssh b").verdict();
        assertThat(v.cause()).as("nothing arrived because nothing was sent: the name never resolved").isEqualTo("dns.nxdomain");
        assertThat(v.evidence()).contains("[B] path.filtered: B's summary");
        assertThat(ServerJoin.join(a("route.none"), b("listen.none", "none"), "ssh b").verdict().cause()).isEqualTo("route.none");
    }
}
