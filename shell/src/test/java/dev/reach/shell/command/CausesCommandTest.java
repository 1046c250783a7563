package dev.reach.shell.command;

import dev.reach.shell.Main;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reach causes}: the catalogue that error messages point to, listed, shown one by one, and as JSON. */
class CausesCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.tree().run(new HeadlessWorkbench(), new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void everyCodeIsListedUnderItsSectionWithinEightyColumns() {
        assertThat(run("causes")).isZero();
        assertThat(out.toString()).contains("  tcp.refused ").contains("  dns.nxdomain ").contains("  tls.expired ");
        assertThat(out.toString().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(80));
    }

    @Test
    void oneCodeSaysWhatProvesItAndWhatTheVerdictSays() {
        assertThat(run("causes", "tcp.filtered")).isZero();
        assertThat(out.toString()).startsWith("tcp.filtered (").contains("  Evidence: ").contains("  Verdict: ");
    }

    @Test
    void anUnknownCodeIsAUsageErrorWithASuggestion() {
        assertThat(run("causes", "tcp.refuse")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("unknown cause 'tcp.refuse'; did you mean 'tcp.refused'?");
    }

    @Test
    void jsonHasEveryCode() {
        assertThat(run("causes", "--json")).isZero();
        assertThat(out.toString()).contains("\"code\" : \"tcp.refused\"").contains("\"says\" : ");
    }
}
