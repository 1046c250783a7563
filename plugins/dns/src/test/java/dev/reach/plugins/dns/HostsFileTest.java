package dev.reach.plugins.dns;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HostsFileTest {
    private static final String SAMPLE = """
            127.0.0.1\tlocalhost
            # the lab
            198.18.0.10  web.test www.test   # web server
            fd00:0:0:0::10 web.test
            not-an-ip web.test
            198.18.0.11
              
            198.18.0.12 Mixed.Case.Test
            """;

    @Test
    void everyNameOnALineGetsTheAddressWithItsLineNumber() {
        var hosts = HostsFile.parse(SAMPLE, "/tmp/hosts");
        assertThat(hosts.lookup("web.test")).containsExactly(new HostsFile.Entry("198.18.0.10", "web.test", 3),
                new HostsFile.Entry("fd00::10", "web.test", 4));
        assertThat(hosts.lookup("www.test")).extracting(HostsFile.Entry::address).containsExactly("198.18.0.10");
    }

    @Test
    void lookupIgnoresCaseAndATrailingDot() {
        var hosts = HostsFile.parse(SAMPLE, "/tmp/hosts");
        assertThat(hosts.lookup("mixed.case.test.")).extracting(HostsFile.Entry::line).containsExactly(8);
        assertThat(hosts.lookup("WEB.TEST")).hasSize(2);
    }

    @Test
    void malformedLinesAreSkippedAndNamed() {
        var hosts = HostsFile.parse(SAMPLE, "/tmp/hosts");
        assertThat(hosts.problems()).containsExactly("/tmp/hosts line 5: 'not-an-ip' is not an IP address (line ignored)",
                "/tmp/hosts line 6: 198.18.0.11 has no name (line ignored)");
    }

    @Test
    void commentsAndBlankLinesAreNotEntries() {
        var hosts = HostsFile.parse("# only comments\n\n   # indented\n", "h");
        assertThat(hosts.entries()).isEmpty();
        assertThat(hosts.problems()).isEmpty();
        assertThat(hosts.lookup("anything")).isEmpty();
    }
}
