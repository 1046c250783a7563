package dev.reach.core.report;

import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.Verdict;
import dev.reach.core.run.Verdicts;
import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Prometheus text and the Nagios line of the same runs, and the numbers both take from the facts. */
class MonitoringReportsTest {
    /** A sample line of the text format: name, optional labels, a value Go's ParseFloat reads. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? "
                    + "(NaN|[+-]Inf|[+-]?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?)");

    private final PrometheusReport prometheus = new PrometheusReport();
    private final NagiosReport nagios = new NagiosReport();

    @Test
    void aRefusedPortIsNotASuccessAndTheVerdictIsInItsLabels() {
        String text = prometheus.render(SampleRuns.refusedProbe());
        assertThat(text).contains("reach_probe_success 0\n", "reach_verdict{cause=\"tcp.refused\",confidence=\"certain\"} 1\n",
                "reach_step_status{step=\"tcp.connect\",probe=\"tcp.connect\",status=\"fail\"} 1\n",
                "reach_step_duration_seconds{step=\"tcp.connect\",probe=\"tcp.connect\"} 0.00029\n",
                "reach_connect_seconds{step=\"tcp.connect\"} 0.00021\n", "reach_probe_duration_seconds 0.0021\n");
        assertWellFormed(text);
        assertThat(prometheus.render(SampleRuns.healthyProbe())).contains("reach_probe_success 1\n",
                "reach_verdict{cause=\"ok\",confidence=\"certain\"} 1\n");
    }

    @Test
    void groupsGiveTheirChildrenAndWhatTheDiagnosisChoseNotToRunIsLeftOut() {
        String text = prometheus.render(SampleRuns.playbook());
        assertWellFormed(text);
        assertThat(text).contains("reach_step_status{step=\"trace\",probe=\"net.trace\",status=\"skipped\"} 1",  // could not run
                "reach_step_status{step=\"ports[0]\",probe=\"tcp.connect\",status=\"fail\"} 1",
                "reach_step_status{step=\"ports[1]\",probe=\"tcp.connect\",status=\"ok\"} 1",
                "reach_dns_lookup_seconds{step=\"resolve\",source=\"nameserver\"} 0.0018")
                .doesNotContain("step=\"ports\"", "step=\"refused\"")          // the group and the verdict step
                .doesNotContain("reach_step_duration_seconds{step=\"trace\"");  // it did not run
        String raced = prometheus.render(SampleRuns.raced());
        assertThat(raced).contains("step=\"arp\"").doesNotContain("step=\"connect\"", "step=\"ping\"");   // cut short
    }

    @Test
    void eachFamilyHasOneHelpAndTypeBeforeItsSamplesAndLabelValuesAreEscaped() {
        var step = SampleRuns.probe("odd \"id\"\\\n", "tcp.connect", Map.of(), Observation.ok("fine").fact("connect_ms", 1.5).build());
        var base = SampleRuns.healthyProbe();
        var run = new RunResult(base.playbook(), "", Map.of(), List.of(step, SampleRuns.probe("b", "tcp.connect", Map.of(),
                Observation.ok("fine").fact("connect_ms", 2).build())), base.verdict(), base.started(), base.duration(), false);
        String text = prometheus.render(run);
        assertWellFormed(text);
        assertThat(text).contains("reach_connect_seconds{step=\"odd \\\"id\\\"\\\\\\n\"} 0.0015\n", "reach_connect_seconds{step=\"b\"} 0.002\n");
        assertThat(text.lines().filter(l -> l.equals("# TYPE reach_connect_seconds gauge"))).hasSize(1);
        assertThat(text.indexOf("# TYPE reach_connect_seconds")).isLessThan(text.indexOf("reach_connect_seconds{"));
    }

    @Test
    void pingRoundTripsAreFiguresOnlyWhenAnEchoCameBack() {
        var lossy = SampleRuns.probe("ping", "icmp.ping", Map.of(), Observation.warn("path.loss", "1 of 4 lost")
                .fact("sent", 4).fact("received", 3).fact("loss_pct", 25.0).fact("rtt_min_ms", 0.1).fact("rtt_avg_ms", 0.2)
                .fact("rtt_max_ms", 0.4).build());
        var silent = SampleRuns.probe("ping2", "icmp.ping", Map.of(), Observation.fail("host.down", "no reply")
                .fact("sent", 4).fact("received", 0).fact("loss_pct", 100.0).fact("rtt_min_ms", 0.0).build());
        var base = SampleRuns.healthyProbe();
        var run = new RunResult("x", "", Map.of(), List.of(lossy, silent), base.verdict(), base.started(), base.duration(), false);
        assertThat(MetricFacts.of(run)).extracting(m -> m.name() + m.labels() + "@" + m.step() + "=" + m.value()).containsExactly(
                "reach_rtt_seconds{stat=min}@ping=1.0E-4", "reach_rtt_seconds{stat=avg}@ping=2.0E-4",
                "reach_rtt_seconds{stat=max}@ping=4.0E-4", "reach_loss_ratio{}@ping=0.25", "reach_loss_ratio{}@ping2=1.0");
    }

    @Test
    void nagiosSaysTheCauseOnOneLineWithPerformanceDataAndTheStateAsExitCode() {
        assertThat(nagios.render(SampleRuns.refusedProbe())).isEqualTo("tcp.refused - Nothing accepts connections on "
                + "127.0.0.1:5432: the host answered the connection attempt with a reset (RST), so it is up, but no service"
                + " listens on that port or a firewall rejects it with tcp-reset. | duration=0.0021s 'tcp.connect_connect'=0.00021s");
        assertThat(NagiosReport.state(SampleRuns.refusedProbe())).isEqualTo(NagiosReport.State.CRITICAL);
        assertThat(NagiosReport.state(SampleRuns.refusedProbe()).exitCode()).isEqualTo(2);
        assertThat(NagiosReport.state(SampleRuns.healthyProbe())).isEqualTo(NagiosReport.State.OK);
    }

    @Test
    void aWarningVerdictIsAWarningAnOkVerdictIsOkAndAnUndecidedRunIsUnknown() {
        var expiring = SampleRuns.probe("tls", "tls.handshake", Map.of(), Observation.warn("tls.expiring", "expires in 5 days")
                .fact("days_left", 5).build());
        var ok = SampleRuns.healthyProbe();
        var warned = new RunResult("x", "", Map.of(), List.of(expiring), new Verdict("tls.expiring", Confidence.CERTAIN,
                "works; the certificate expires in 5 days", "Renew it.", List.of(), List.of("tls"), true), ok.started(), ok.duration(), false);
        assertThat(NagiosReport.state(warned)).isEqualTo(NagiosReport.State.WARNING);
        assertThat(nagios.render(warned)).endsWith("| duration=0.0024s 'tls_days_left'=5");

        // a warned or failed step under an ok verdict was weighed by the playbook: OK (an ICMP echo a firewall drops, a
        // neighbour entry not cached yet, would otherwise page for a target that works)
        var healthyButWarned = new RunResult("x", "", Map.of(), List.of(expiring), ok.verdict(), ok.started(), ok.duration(), false);
        assertThat(NagiosReport.state(healthyButWarned)).isEqualTo(NagiosReport.State.OK);
        var pingFiltered = SampleRuns.probe("ping", "icmp.ping", Map.of(), Observation.fail("no echo reply").fact("loss_pct", 100.0).build());
        var okBesideAFailedPing = new RunResult("x", "", Map.of(), List.of(pingFiltered), ok.verdict(), ok.started(), ok.duration(), false);
        assertThat(okBesideAFailedPing.healthy()).isTrue();
        assertThat(okBesideAFailedPing.exitCode()).isZero();
        assertThat(NagiosReport.state(okBesideAFailedPing)).isEqualTo(NagiosReport.State.OK);

        var inconclusive = new RunResult("x", "", Map.of(), ok.steps(), new Verdict(Verdicts.INCONCLUSIVE, Confidence.POSSIBLE,
                "could not tell", "", List.of(), List.of(), false), ok.started(), ok.duration(), false);
        assertThat(NagiosReport.state(inconclusive)).isEqualTo(NagiosReport.State.UNKNOWN);
        var cancelled = new RunResult("x", "", Map.of(), ok.steps(), ok.verdict(), ok.started(), ok.duration(), true);
        assertThat(NagiosReport.state(cancelled)).isEqualTo(NagiosReport.State.UNKNOWN);
    }

    @Test
    void aSummaryKeepsToOneLineAndCannotStartThePerformanceData() {
        var ok = SampleRuns.healthyProbe();
        var run = new RunResult("x", "", Map.of(), ok.steps(), new Verdict(Verdict.OK, Confidence.CERTAIN,
                "line one\nline | two\u001b[31m", "", List.of(), List.of(), false), ok.started(), ok.duration(), false);
        String line = nagios.render(run);
        assertThat(line).doesNotContain("\n").startsWith("ok - line one line / two\\x1b[31m | ");
    }

    @Test
    void numbersKeepNineSignificantDigits() {
        assertThat(PrometheusReport.number(0.19160400000000002)).isEqualTo("0.191604");
        assertThat(PrometheusReport.number(200)).isEqualTo("200");
        assertThat(PrometheusReport.number(5.1E-5)).isEqualTo("0.000051");
        assertThat(PrometheusReport.number(Double.NaN)).isEqualTo("NaN");
    }

    private static void assertWellFormed(String text) {
        assertThat(text).endsWith("\n");
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
            assertThat(SAMPLE.matcher(line).matches()).as("a sample line: %s", line).isTrue();
        }
    }
}
