package dev.reach.shell.command;

import dev.reach.spi.Needs;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProbesCommandTest {

    @Test
    void theMarkdownTableHasARowAProbeFromItsAboutOrSummaryWithPipesEscaped() {
        ProbeSpec plain = ProbeSpec.builder("demo.say", "Says hello").build();
        ProbeSpec full = ProbeSpec.builder("demo.pipe", "Pipes").about("Reads `a|b` and says so.")
                .needs(Needs.root("CAP_NET_RAW").withNote("else the ping command")).build();
        assertThat(ProbesCommand.markdown(List.of(plain, full))).isEqualTo("""
                | id | what it does | needs |
                |---|---|---|
                | `demo.say` | Says hello. | nothing |
                | `demo.pipe` | Reads `a\\|b` and says so. | root or CAP_NET_RAW (else the ping command) |
                """);
    }

    /** Probes like the shipped ones, so that the listing's golden files do not change with every spec. */
    private static final List<ProbeSpec> SPECS = List.of(
            ProbeSpec.builder("dns.resolve", "Resolves a name through the system resolver and each nameserver, and says who is wrong").build(),
            ProbeSpec.builder("firewall.rules", "Finds the local firewall rule that decides a flow, and its verdict")
                    .needs(Needs.root("CAP_NET_ADMIN").withNote("nft or iptables-save")).build(),
            ProbeSpec.builder("icmp.ping", "Sends ICMP echo requests and reports loss, RTT and any ICMP error").build(),
            ProbeSpec.builder("postgres.startup", "Sends PostgreSQL a startup message and decodes its answer up to authentication").build(),
            ProbeSpec.builder("tcp.hello", "Talks to the service after the handshake in its protocol: answered, reset, silent, or big packets lost").build(),
            ProbeSpec.builder("tcp.scan", "Scans hosts × ports with TCP connects: open, closed, filtered or unreachable").build());

    @ParameterizedTest
    @ValueSource(ints = {80, 120})
    void theListingFitsTheTerminalWithSummariesWrappedUnderThemselves(int width) throws IOException {
        String text = ProbesCommand.listing(SPECS, width);
        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(width));
        assertThat(text.split("\\s+")).as("no word broken").containsExactlyInAnyOrder(ProbesCommand.listing(SPECS, 10_000).split("\\s+"));
        Path golden = Path.of("src/test/resources/golden/probes." + width + ".txt");
        if (Boolean.getBoolean("golden.update")) Files.writeString(golden, text);
        assertThat(text).as("%s; after an intended change rerun with -Dgolden.update=true", golden).isEqualTo(Files.readString(golden));
    }
}
