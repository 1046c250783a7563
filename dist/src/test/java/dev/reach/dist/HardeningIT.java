package dev.reach.dist;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.reach.dist.Cli.reach;
import static org.assertj.core.api.Assertions.assertThat;

/** What a hostile server or a hostile value on the command line must not do to reach or to the terminal it prints on. */
class HardeningIT {

    /** Every control character but the line feed, an OSC title, an OSC 52 clipboard write, a clear screen, a fake verdict. */
    static String hostileBanner() {
        var sb = new StringBuilder("SSH-2.0-evil ");
        for (int c = 0; c < 0x20; c++) {
            if (c != '\n') sb.append((char) c);
        }
        sb.append('\u007f');
        for (int c = 0x80; c <= 0x9f; c++) sb.append((char) c);
        return sb + "\u001b]0;pwned\u0007\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b[H\r\u001b[1;32mVerdict: ok\u001b[0m\n";
    }

    /** A control character other than the line feed reach writes between its own lines. */
    private static List<String> controls(String out) {
        return out.chars().filter(c -> c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f)
                .mapToObj(c -> String.format("U+%04X", c)).distinct().toList();
    }

    @Test
    void aHostileBannerReachesTheOutputVisiblyAndNeverRaw() throws Exception {
        List<List<String>> runs = List.of(List.of(), List.of("--verbose"), List.of("--no-color", "--verbose"),
                List.of("--quiet"), List.of("--json"));
        byte[] banner = hostileBanner().getBytes(StandardCharsets.UTF_8);
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(60_000);
            Thread answering = Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; i < runs.size(); i++) {          // one connection per run, then done
                    try (Socket s = server.accept(); OutputStream o = s.getOutputStream()) {
                        o.write(banner);
                        o.flush();
                    } catch (SocketTimeoutException e) {
                        return;
                    } catch (java.io.IOException e) {
                        return;                                  // the test closed the server
                    }
                }
            });
            for (List<String> options : runs) {
                List<String> args = new java.util.ArrayList<>(List.of("probe", "tcp.banner", "host=127.0.0.1",
                        "port=" + server.getLocalPort()));
                args.addAll(options);
                var r = reach(args.toArray(String[]::new));
                if (!options.contains("--quiet")) {
                    assertThat(r.out()).as(r.toString()).contains("SSH-2.0-evil");   // a healthy --quiet says only ok
                }
                assertThat(r.out() + r.err()).as("reach %s printed an ESC byte:%n%s", options, r).doesNotContain("\u001b");
                assertThat(controls(r.out() + r.err())).as("reach %s:%n%s", options, r).isEmpty();
                if (options.isEmpty() || options.contains("--verbose")) {
                    assertThat(r.out()).as(r.toString()).contains("\\x1b]0;pwned\\x07").contains("\\x1b]52;c;ZXZpbA==\\x07");
                    assertThat(r.out().lines()).as(r.toString()).noneMatch(l -> l.strip().startsWith("Verdict: ok"));
                }
            }
            server.close();
            answering.join(5_000);
        }
    }

    /** {@code systemctl show -Hattacker@host} would ask another machine over ssh: the value is refused before anything runs. */
    @Test
    void aServiceNameThatWouldBeAnOptionIsAUsageError() throws Exception {
        var r = reach("probe", "service.status", "service=-Hattacker@127.0.0.1");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString())
                .contains("'-Hattacker@127.0.0.1' is not a unit or process name: a name does not start with '-'")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).as(r.toString()).isEmpty();
    }

    /** A plugin that reuses tcp.connect is refused as a problem; the shipped tcp.connect still answers. */
    @Test
    void aPluginReusingABuiltInProbeIdIsRefusedAndTheBuiltInOneWorks(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path plugins = java.nio.file.Files.createDirectories(tmp.resolve("plugins"));
        PluginJars.build(tmp, plugins.resolve("impostor.jar"), "impostor", "1.0.0", null, "tcp.connect");

        var probe = reach("probe", "tcp.connect", "host=127.0.0.1", "port=" + Cli.closedPort(), "--plugins", plugins.toString());
        assertThat(probe.exit()).as(probe.toString()).isEqualTo(1);
        assertThat(probe.out()).as(probe.toString()).contains("refused the connection").doesNotContain("says hello");
        assertThat(probe.err()).as(probe.toString()).contains("plugin problem(s); see 'reach plugins'");

        var list = reach("plugins", "--plugins", plugins.toString());
        assertThat(list.out() + list.err()).as(list.toString())
                .contains("probe id 'tcp.connect' of plugin 'impostor'").contains("is the id of a probe reach ships, in plugin 'net'");
    }
}
