package dev.reach.core.verdict;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CauseCatalogTest {
    private final CauseCatalog causes = CauseCatalog.load();

    @Test
    void everyCodeOfTheFaultsTablesIsLoaded() {
        // FAULTS.md's tables in their order, each with rows (no count to keep by hand: a probe's spec declares the codes it
        // may return, and the test kit checks each against this catalogue); a code listed twice fails the load
        assertThat(causes.causes().stream().filter(c -> !c.reachOwn()).map(CauseCatalog.Cause::section).distinct())
                .containsExactly("Name resolution", "Path and routing (L2/L3)", "Transport (L4)",
                        "Session and security (TLS, time)", "Host state (either end)", "Healthy");
        assertThat(causes.codes()).doesNotHaveDuplicates()
                .contains("tcp.refused", "dns.server-unreachable", "mtu.blackhole", "listen.localhost-only", "ok")
                .startsWith("dns.nxdomain").endsWith("ok", CauseCatalog.INCONCLUSIVE);
    }

    @Test
    void causeCarriesSectionSideEvidenceAndWhatTheVerdictSays() {
        CauseCatalog.Cause refused = causes.find("tcp.refused").orElseThrow();
        assertThat(refused.section()).isEqualTo("Transport (L4)");
        assertThat(refused.side()).isEqualTo("A");
        assertThat(refused.evidence()).isEqualTo("RST to SYN (ECONNREFUSED) while the host is otherwise alive");
        assertThat(refused.says()).startsWith("nothing listens on that port");
        assertThat(refused.reachOwn()).isFalse();
        assertThat(causes.find("admin.prohibited").orElseThrow().side()).isEqualTo("path/B");
    }

    @Test
    void everyCauseButOkHasAFixAndItsPlaceholdersAreTheOnesFilledIn() {
        for (CauseCatalog.Cause c : causes.causes()) {
            if (c.code().equals("ok")) {
                assertThat(c.fix()).isEmpty();
                continue;
            }
            assertThat(c.fix()).as(c.code()).isNotBlank().doesNotContain("B's", " on B", "...", "…");
            assertThat(c.fix().replaceAll("\\{(host|port|name)}", "")).as(c.code() + ": only {host}, {port}, {name}")
                    .doesNotContain("{", "}");
        }
        assertThat(dev.reach.core.run.Verdicts.fill(causes.find("tcp.refused").orElseThrow().fix(), java.util.Map.of("host", "198.18.0.2", "port", 5432)))
                .startsWith("On 198.18.0.2: start the service or make it listen on port 5432 (reach listen 5432;");
        assertThat(dev.reach.core.run.Verdicts.fill("On {host}:{port}", java.util.Map.of())).isEqualTo("On HOST:PORT");
    }

    /** A code in no catalogue (a plugin's probe returned one its cause file lacks) gets a fix that says so, not none. */
    @Test
    void aCodeInNoCatalogueGetsAFixThatSaysWhy() {
        var verdicts = new dev.reach.core.run.Verdicts(code -> causes.find(code).map(CauseCatalog.Cause::fixOrSays));
        assertThat(verdicts.fix("smtp.not-an-smtp")).isEqualTo("reach knows no fix for 'smtp.not-an-smtp': the code is in no"
                + " cause catalogue (a plugin's probe returned a code its reach-causes.tsv does not declare; 'reach causes' lists"
                + " the known ones).");
        assertThat(verdicts.fix("ok")).isEmpty();
        assertThat(verdicts.fix(dev.reach.core.run.Verdicts.INCONCLUSIVE)).startsWith("Give the checks what they need");
        assertThat(verdicts.fix("tcp.refused", java.util.Map.of("host", "198.18.0.2", "port", 5432))).startsWith("On 198.18.0.2: ");
    }

    @Test
    void aFixesFileOutOfStepWithTheCatalogueIsAPackagingError() {
        List<String> rows = List.of("tcp.refused\tTransport (L4)\tA\tRST\tnothing listens\tFAULTS.md");
        assertThatThrownBy(() -> CauseCatalog.parse(rows, List.of())).hasMessageContaining("no fix for tcp.refused");
        assertThatThrownBy(() -> CauseCatalog.parse(rows, List.of("tcp.refused\tstart it", "tcp.gone\tx")))
                .hasMessageContaining("tcp.gone");
        assertThat(CauseCatalog.parse(rows, List.of("# c", "tcp.refused\tstart it")).find("tcp.refused").orElseThrow().fix())
                .isEqualTo("start it");
    }

    @Test
    void inconclusiveIsReachsOwnAndNotFromFaults() {
        CauseCatalog.Cause inconclusive = causes.find(CauseCatalog.INCONCLUSIVE).orElseThrow();
        assertThat(inconclusive.reachOwn()).isTrue();
        assertThat(inconclusive.evidence()).startsWith("the checks that would decide could not run");
        assertThat(causes.causes()).filteredOn(CauseCatalog.Cause::reachOwn).extracting(CauseCatalog.Cause::code)
                .containsExactlyInAnyOrder("quic.not-quic", "tcp.stall", "overlay.mtu", "tunnel.down", "tunnel.no-handshake", "ipsec.no-sa", "mount.stale", "mount.missing", "path.filtered", "path.reply-lost", CauseCatalog.INCONCLUSIVE);
    }

    @Test
    void unknownCodeIsAbsent() {
        assertThat(causes.contains("tcp.refused")).isTrue();
        assertThat(causes.contains("tcp.refuse")).isFalse();
        assertThat(causes.find("tcp.refuse")).isEmpty();
    }

    @Test
    void shortRowNamesItsLine() {
        assertThatThrownBy(() -> CauseCatalog.parse(List.of("# comment", "tcp.refused\tTransport (L4)\tA")))
                .hasMessage("causes.tsv:2: expected 6 tab-separated columns (code, section, side, evidence, says, origin), got 3");
    }

    @Test
    void duplicateCodeIsRejected() {
        String row = "ok\tHealthy\tA\tevery layer answered\tthe figures\tFAULTS.md";
        assertThatThrownBy(() -> CauseCatalog.parse(List.of(row, "", row)))
                .hasMessage("causes.tsv:3: cause 'ok' is listed twice");
    }

    @Test
    void pluginCausesAreAddedButNeverChangeACodeTheCatalogueHas() {
        List<String> said = new java.util.ArrayList<>();
        var own = CauseCatalog.parsePlugin("acme", List.of("acme.grumpy\tB\tgo away\trestart it",
                "tcp.refused\tB\tmine\tmine now", "acme.grumpy\tB\tagain\tagain"), said);
        assertThat(said).containsExactly("reach-causes.tsv:3: cause 'acme.grumpy' is listed twice");

        List<String> refused = new java.util.ArrayList<>();
        CauseCatalog all = causes.with(own, (c, why) -> refused.add(why));

        assertThat(all.find("acme.grumpy").map(CauseCatalog.Cause::says)).contains("restart it");
        assertThat(all.find("tcp.refused").map(CauseCatalog.Cause::section)).contains("Transport (L4)");
        assertThat(refused).containsExactly("plugin acme declares cause 'tcp.refused', which the catalogue already has; it is left out");
        assertThat(causes.contains("acme.grumpy")).as("the shipped catalogue is unchanged").isFalse();
    }

    @Test
    void aPluginCauseMayGiveItsFixInAFifthColumnElseItsVerdictTextServes() {
        List<String> said = new java.util.ArrayList<>();
        var own = CauseCatalog.parsePlugin("acme", List.of("acme.grumpy\tB\tgo away\tthe greeting says so\tacme-ctl restart {host}",
                "acme.sleepy\tB\tslow\tthe greeting comes late"), said);
        assertThat(said).isEmpty();
        assertThat(own.get(0).fixOrSays()).isEqualTo("acme-ctl restart {host}");
        assertThat(own.get(1).fixOrSays()).isEqualTo("the greeting comes late");
    }
}
