package dev.reach.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.reach.dist.Cli.reach;
import static org.assertj.core.api.Assertions.assertThat;

/** JS playbooks end to end: the built distribution, the real tcp.connect, real loopback sockets. */
class JsPlaybookIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void connectJsAndConnectYamlGiveTheSameVerdictOnAClosedPort() throws Exception {
        String port = "port=" + Cli.closedPort();
        var yaml = reach("run", "playbooks/connect.yaml", "--set", "host=127.0.0.1", "--set", port, "--json");
        var js = reach("run", "playbooks/connect.js", "--set", "host=127.0.0.1", "--set", port, "--json");
        assertThat(js.exit()).as(js.toString()).isEqualTo(1).isEqualTo(yaml.exit());
        JsonNode y = JSON.readTree(yaml.out()).get("verdict");
        JsonNode j = JSON.readTree(js.out()).get("verdict");
        assertThat(j.get("cause").asText()).isEqualTo("tcp.refused");
        assertThat(j).isEqualTo(y);
    }

    @Test
    void connectJsRunsHeadlesslyWithTheTextReport() throws Exception {
        var r = reach("run", "playbooks/connect.js", "--set", "host=127.0.0.1", "--set", "port=" + Cli.closedPort());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("✘ connect").contains("Verdict: tcp.refused (certain)").contains("nothing listens");
    }

    @Test
    void connectJsOnAFullAcceptQueueConcludesFiltered() throws Exception {
        // a listener whose accept queue is full drops further SYNs: filtered, on loopback, without root;
        // a second, open listener answers on "another port" of the same host
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket open = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    var s = new Socket();
                    fillers.add(s);
                    try {
                        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
                    } catch (java.io.IOException queueFull) {
                        break;
                    }
                }
                var r = reach("run", "playbooks/connect.js", "--set", "host=127.0.0.1", "--set", "port=" + full.getLocalPort(),
                        "--set", "timeout=500ms", "--set", "other_ports=" + open.getLocalPort(), "--json");
                JsonNode v = JSON.readTree(r.out()).get("verdict");
                assertThat(v.get("cause").asText()).as(r.toString()).isEqualTo("tcp.filtered");
                assertThat(v.get("supported_by").toString()).contains("connect", "elsewhere");
            } finally {
                for (var s : fillers) s.close();
            }
        }
    }

    @Test
    void fleetSummarisesAListOfLoopbackTargets() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String targets = "127.0.0.1:" + server.getLocalPort() + ",127.0.0.1:" + Cli.closedPort();
            var r = reach("run", "playbooks/fleet.js", "--set", "targets=" + targets);
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).contains("1 of 2 targets did not answer; 1 of them with tcp.refused");
        }
    }

    @Test
    void aScriptErrorIsReportedWithFileLineAndColumn(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.js");
        Files.writeString(f, "export function main() {\n  probe('tcp.connect', {host: '127.0.0.1', port: 22, family: 'ipv4'});\n}\n");
        var r = reach("run", f.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out().replaceAll("\\s+", " ")).as("the report, wrapped at 80 columns, read as one line")
                .contains(f + ":2:3: TypeError: bad value for parameter 'family' of tcp.connect: "
                + "'ipv4' is not allowed (allowed: any, 4, 6)");
    }

    @Test
    void aScriptThatThrowsAfterAFaultEndsInconclusiveWithTheErrorAndExitsOne(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("throw.js");
        Files.writeString(f, """
                export const metadata = {inputs: {}};
                export function main() {
                  const c = probe('tcp.connect', {host: '127.0.0.1', port: %d, timeout: '1s'}, {id: 'connect'});
                  const x = undefined;
                  return verdict({cause: 'ok', confidence: 'certain', evidence: [c], summary: x.remote});
                }
                """.formatted(Cli.closedPort()));
        var r = reach("run", f.toString(), "--json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        JsonNode json = JSON.readTree(r.out());
        JsonNode v = json.get("verdict");
        assertThat(v.get("cause").asText()).as(r.toString()).isEqualTo("inconclusive");
        assertThat(v.get("summary").asText()).contains(f + ":5:").contains("TypeError");
        assertThat(json.get("steps").get(0).get("cause").asText()).as("the earlier fault stays a step's").isEqualTo("tcp.refused");
        assertThat(json.get("steps").get(1).get("id").asText()).isEqualTo("script");
        assertThat(json.get("healthy").asBoolean()).isFalse();
    }

    @Test
    void aSyntaxErrorStopsTheRunBeforeAnythingRuns(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("syntax.js");
        Files.writeString(f, "export function main() {\n  const = 1;\n}\n");
        var r = reach("run", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(f + ":2:").contains("SyntaxError");
    }
}
