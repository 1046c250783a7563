package dev.reach.plugins.host;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One fuzz target for every reader of what the host prints (/proc files, {@code ip -j}, {@code nft -j},
 * {@code iptables-save}, {@code /proc/net/netstat}, {@code systemctl show}, {@code ip -d -j link}, {@code wg show dump},
 * {@code ip xfrm}, mountinfo, fstab): the first byte picks the reader, the rest
 * is its text. A line reader keeps what it cannot read in its {@code bad} list and never throws; a JSON reader
 * refuses text that is not JSON with {@link IllegalArgumentException}; no reader throws anything else, hangs or
 * runs out of memory on any text. Seeds under {@code src/test/resources/dev/reach/plugins/host/HostParsersFuzzTestInputs/}
 * run in every build; fuzzing for real: {@code JAZZER_FUZZ=1 ./mvnw -pl plugins/host test -Dtest=HostParsersFuzzTest}.
 */
class HostParsersFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void hostOutputReaders(FuzzedDataProvider data) {
        int which = data.consumeInt(0, 15);
        String text = data.consumeRemainingAsString();
        List<String> bad = new ArrayList<>();
        switch (which) {
            case 0 -> ProcNetSockets.parse(text, "tcp", bad);
            case 1 -> NeighTable.parseProcArp(text, bad);
            case 2 -> IptablesSave.parse(text, "ipv4", bad);
            case 3 -> RouteTable.parseProc(text, bad);
            case 4 -> NetstatCounters.parse(text, bad);
            case 5 -> ServiceStatusProbe.parseShow(text);
            case 6 -> json(() -> RouteTable.parseJson(text));
            case 7 -> json(() -> NeighTable.parseJson(text));
            case 8 -> json(() -> NftRuleset.parse(text, Map.of(), bad));
            case 9 -> json(() -> TunnelDevice.parse(text));
            case 10 -> WgDump.parse(text);
            case 11 -> Xfrm.policies(text);
            case 12 -> Xfrm.states(text);
            case 13 -> Mounts.parse(text);
            case 14 -> Mounts.fstab(text);
            default -> json(() -> Json.parse(text));
        }
    }

    private static void json(Runnable read) {
        try {
            read.run();
        } catch (IllegalArgumentException notJson) {
            // refused, saying where: what a JSON reader does with text that is not its JSON
        }
    }
}
