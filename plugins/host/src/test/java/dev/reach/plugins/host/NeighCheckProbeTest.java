package dev.reach.plugins.host;

import dev.reach.plugins.host.NeighCheckProbe.Input;
import dev.reach.plugins.host.NeighTable.Entry;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NeighCheckProbeTest {

    // parsers on captured output

    @Test
    void ipNeighGivesStateAndMacOfEachEntry() {
        assertThat(NeighTable.parseJson(Samples.read("ip-neigh-failed-and-reachable.json"))).containsExactly(
                new Entry("198.18.9.5", "e0", "6e:d6:a6:b5:f2:ef", "REACHABLE", false),
                new Entry("198.18.9.77", "e0", "", "FAILED", false));
        assertThat(NeighTable.parseJson(Samples.read("ip-neigh-incomplete.json")).get(1).unresolved()).isTrue();
    }

    @Test
    void ipv6RouterFlagAndPermanentEntriesAreKept() {
        List<Entry> e = NeighTable.parseJson(Samples.read("ip-neigh-router-permanent.json"));
        assertThat(e.getFirst().router()).isTrue();
        assertThat(e.get(1).state()).isEqualTo("PERMANENT");
        assertThat(e.getFirst().text()).isEqualTo("fd00::1 dev e0 lladdr 6e:d6:a6:b5:f2:ef router STALE");
    }

    @Test
    void procNetArpMapsFlagsToStatesAndSkipsGarbage() {
        List<String> bad = new ArrayList<>();
        List<Entry> e = NeighTable.parseProcArp(Samples.read("proc-net-arp.txt"), bad);
        assertThat(e).extracting(Entry::dst, Entry::state, Entry::mac).containsExactly(
                org.assertj.core.groups.Tuple.tuple("198.18.9.5", "REACHABLE", "6e:d6:a6:b5:f2:ef"),
                org.assertj.core.groups.Tuple.tuple("198.18.9.77", "INCOMPLETE", ""));
        assertThat(bad).containsExactly("garbage line");
    }

    @Test
    void bothArpingsRepliesAreReadAsDistinctMacs() {
        assertThat(NeighTable.replies(Samples.read("arping-habets-duplicate.txt"), "198.18.9.5"))
                .containsExactly("6e:d6:a6:b5:f2:ef", "52:67:ab:c5:e0:72");
        assertThat(NeighTable.replies(Samples.read("arping-iputils-duplicate.txt"), "198.18.9.5"))
                .containsExactly("6e:d6:a6:b5:f2:ef", "52:67:ab:c5:e0:72");
        assertThat(NeighTable.replies(Samples.read("arping-habets-duplicate.txt"), "198.18.9.6")).isEmpty();
    }

    // classify

    @Test
    void failedGatewayEntryIsGatewayUnreachable() {
        var c = NeighCheckProbe.classify(new Input("198.18.5.254", "gateway", "d0",
                Optional.of(new Entry("198.18.5.254", "d0", "", "FAILED", false)), null, 3));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("gateway.unreachable");
        assertThat(c.summary()).isEqualTo("gateway 198.18.5.254 on d0 did not answer ARP (entry FAILED): "
                + "the gateway is down or the gateway address is wrong");
    }

    @Test
    void incompleteOnLinkTargetIsHostUnreachable() {
        var c = NeighCheckProbe.classify(new Input("198.18.9.77", "target", "e0",
                Optional.of(new Entry("198.18.9.77", "e0", "", "INCOMPLETE", false)), null, 3));
        assertThat(c.cause()).isEqualTo("host.unreachable");
    }

    @Test
    void twoMacsAnsweringIsArpConflictNamingBoth() {
        var c = NeighCheckProbe.classify(new Input("198.18.9.5", "target", "e0", Optional.empty(),
                new java.util.LinkedHashSet<>(List.of("6e:d6:a6:b5:f2:ef", "52:67:ab:c5:e0:72")), 2));
        assertThat(c.cause()).isEqualTo("arp.conflict");
        assertThat(c.summary()).startsWith("2 MACs answer ARP for 198.18.9.5 on e0 (6e:d6:a6:b5:f2:ef, 52:67:ab:c5:e0:72)");
    }

    @Test
    void conflictNamesTheMacTheEntryHoldsWhereTrafficGoesNow() {
        var c = NeighCheckProbe.classify(new Input("198.18.9.253", "gateway", "e0",
                Optional.of(new Entry("198.18.9.253", "e0", "52:67:ab:c5:e0:72", "REACHABLE", false)),
                new java.util.LinkedHashSet<>(List.of("6e:d6:a6:b5:f2:ef", "52:67:ab:c5:e0:72")), 1));
        assertThat(c.cause()).isEqualTo("arp.conflict");
        assertThat(c.summary()).contains("; the neighbour entry holds 52:67:ab:c5:e0:72, so traffic goes there now;");
    }

    @Test
    void entryHoldingAMacThatDoesNotAnswerIsArpConflictToo() {
        var held = NeighCheckProbe.classify(new Input("198.18.9.253", "gateway", "e0",
                Optional.of(new Entry("198.18.9.253", "e0", "52:67:ab:c5:e0:72", "PERMANENT", false)), Set.of("6e:d6:a6:b5:f2:ef"), 1));
        assertThat(held.status()).isEqualTo(Status.FAIL);
        assertThat(held.cause()).isEqualTo("arp.conflict");
        assertThat(held.summary()).startsWith("the neighbour entry for 198.18.9.253 on e0 holds 52:67:ab:c5:e0:72 (PERMANENT), but"
                + " 6e:d6:a6:b5:f2:ef answers ARP for it");
        var stale = NeighCheckProbe.classify(new Input("198.18.9.253", "gateway", "e0",
                Optional.of(new Entry("198.18.9.253", "e0", "52:67:ab:c5:e0:72", "STALE", false)), Set.of("6e:d6:a6:b5:f2:ef"), 1));
        assertThat(stale.status()).as("the kernel re-resolves a stale entry").isEqualTo(Status.WARN);
    }

    // the ARP codec of the packet socket

    @Test
    void arpRequestAsksWhoHasTheTargetFromOurMacAndAddress() {
        byte[] req = ArpSocket.request(java.util.HexFormat.ofDelimiter(":").parseHex("0e:6e:a7:c4:6a:30"),
                new byte[] {(byte) 198, 18, 9, 1}, new byte[] {(byte) 198, 18, 9, (byte) 253});
        assertThat(java.util.HexFormat.of().formatHex(req))
                .isEqualTo("0001" + "0800" + "06" + "04" + "0001" + "0e6ea7c46a30" + "c6120901" + "000000000000" + "c61209fd");
    }

    @Test
    void onlyAnArpReplyFromTheTargetCountsAsAnAnswer() {
        byte[] target = {(byte) 198, 18, 9, (byte) 253};
        byte[] reply = java.util.HexFormat.of().parseHex("0001080006040002" + "6ed6a6b5f2ef" + "c61209fd" + "0e6ea7c46a30" + "c6120901");
        assertThat(ArpSocket.replyFrom(reply, target)).isEqualTo("6e:d6:a6:b5:f2:ef");
        assertThat(ArpSocket.replyFrom(reply, new byte[] {(byte) 198, 18, 9, 5})).as("another address").isNull();
        byte[] request = reply.clone();
        request[7] = 1;
        assertThat(ArpSocket.replyFrom(request, target)).as("a request, not a reply").isNull();
        assertThat(ArpSocket.replyFrom(new byte[10], target)).as("too short").isNull();
    }

    @Test
    void arpingWithoutAnyReplyIsUnreachableEvenWithoutAnEntry() {
        var c = NeighCheckProbe.classify(new Input("198.18.5.254", "gateway", "d0", Optional.empty(), Set.of(), 3));
        assertThat(c.cause()).isEqualTo("gateway.unreachable");
        assertThat(c.summary()).contains("did not answer 3 ARP requests");
    }

    @Test
    void staleEntryIsResolved() {
        var c = NeighCheckProbe.classify(new Input("198.18.9.5", "target", "e0",
                Optional.of(new Entry("198.18.9.5", "e0", "6e:d6:a6:b5:f2:ef", "STALE", false)), null, 3));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("198.18.9.5 on e0 is at 6e:d6:a6:b5:f2:ef (entry STALE)");
    }

    @Test
    void noEntryWithoutAskingIsAWarningNotAPass() {
        var c = NeighCheckProbe.classify(new Input("198.18.9.5", "target", "e0", Optional.empty(), null, 3));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).contains("resolve=true");
    }
}
