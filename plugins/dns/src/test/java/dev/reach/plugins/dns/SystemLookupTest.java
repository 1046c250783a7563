package dev.reach.plugins.dns;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading getent's output (no lookup here: one would ask this host's nameserver). */
class SystemLookupTest {
    private static final String AHOSTS = """
            fd00::60        STREAM only-here.test
            fd00::60        DGRAM
            fd00::60        RAW
            198.18.0.60     STREAM
            198.18.0.60     DGRAM
            198.18.0.60     RAW
            198.18.0.61     STREAM
            """;

    @Test
    void addressesKeepGetaddrinfoOrderOnceEach() {
        assertThat(SystemLookup.addresses(AHOSTS, "any")).containsExactly("fd00::60", "198.18.0.60", "198.18.0.61");
        assertThat(SystemLookup.addresses(AHOSTS, "A")).containsExactly("198.18.0.60", "198.18.0.61");
    }

    @Test
    void ipv4MappedAnswersOfAhostsv6AreNotIpv6Addresses() {
        assertThat(SystemLookup.addresses("::ffff:198.18.0.70 STREAM v4.test\n::ffff:198.18.0.70 DGRAM\n", "AAAA")).isEmpty();
    }

    @Test
    void ipv6AddressesAreWrittenTheOneWay() {
        assertThat(SystemLookup.addresses("fd00:0:0:0:0:0:0:60 STREAM x\n", "any")).containsExactly("fd00::60");
    }

    @Test
    void offAndHostsAnswerAtOnceWithoutAProcess() throws InterruptedException {
        var hosts = HostsFile.parse("198.18.0.60 only-here.test\n", "/tmp/hosts");
        try (var lookup = SystemLookup.start("hosts", "only-here.test", "any", hosts, hosts.lookup("only-here.test"))) {
            var said = lookup.await(Duration.ZERO);
            assertThat(said.addresses()).containsExactly("198.18.0.60");
            assertThat(said.hostsLine()).isEqualTo("/tmp/hosts line 1");
            assertThat(said.kind()).isEqualTo("hosts");
        }
        try (var lookup = SystemLookup.start("off", "only-here.test", "any", hosts, List.of())) {
            assertThat(lookup.await(Duration.ZERO).outcome()).isEqualTo("off");
        }
    }
}
