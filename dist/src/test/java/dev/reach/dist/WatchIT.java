package dev.reach.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.reach.dist.Terminal.exec;
import static dev.reach.dist.Terminal.q;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code reach watch} end to end against an HTTP server on loopback that the test stops and starts again: piped (one
 * line per change, the summary after Ctrl-C, every round in the history) and on a terminal (tmux: the live screen, its
 * table and its changes, then the summary).
 */
class WatchIT {
    private static final long WAIT_MS = 60_000;

    @TempDir
    Path tmp;

    private HttpServer server;
    private String session;

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.stop(0);
        if (session != null) exec("tmux", "kill-session", "-t", session);
    }

    private void serve(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/", ex -> {
            byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    private void stopServing() {
        server.stop(0);
        server = null;
    }

    @Test
    void pipedItPrintsEachChangeAndASummaryAndRecordsEveryRound() throws Exception {
        int port = Cli.closedPort();
        serve(port);
        String target = "http://127.0.0.1:" + port + "/";
        Map<String, String> env = Map.of("REACH_HISTORY", tmp.resolve("history.db").toString());
        Cli.Running watch = Cli.start(env, "watch", target, "--interval", "200ms", "--count", "200");
        Callable<String> out = () -> Files.readString(watch.out());
        await("the first verdict", out, s -> s.contains("  " + target + "  ok: "));
        stopServing();
        // a round the stop falls into may see the port open, then closed (the connection works, HTTP does not): it
        // says so, and the next round says refused
        await("the change to refused", out, s -> s.contains(" → tcp.refused (certain): "));
        serve(port);
        await("the change back", out, s -> s.contains(" → ok: "));
        new ProcessBuilder("kill", "-INT", Long.toString(watch.process().pid())).start().waitFor(5, TimeUnit.SECONDS);
        Cli.Result r = Cli.finish(watch, "watch");
        List<String> lines = r.out().lines().filter(l -> l.contains("  " + target + "  ")).toList();
        assertThat(lines).as(r.toString()).hasSizeBetween(3, 5);
        assertThat(lines.getFirst()).contains("  ok: ");
        assertThat(lines.getLast()).contains(" → ok: ");
        assertThat(r.out()).containsPattern("watched " + java.util.regex.Pattern.quote(target)
                + " for [0-9.]+s, \\d+ rounds: ok [0-9.]+s \\(2 spans\\), .*tcp.refused \\(certain\\) [0-9.]+s \\(1 span\\).*; "
                + (lines.size() - 1) + " changes");
        assertThat(r.exit()).as("the last round was ok").isZero();

        Cli.Result listed = Cli.reach(env, "history", "127.0.0.1:" + port, "--json", "--limit", "1000");
        JsonNode runs = new ObjectMapper().readTree(listed.out()).path("runs");
        assertThat(runs.size()).as("every round is recorded").isGreaterThanOrEqualTo(3);
        assertThat(runs.findValuesAsText("origin")).containsOnly("watch");
        List<String> changes = new ArrayList<>();
        runs.forEach(x -> {
            if (!x.path("changed_from").isNull()) changes.add(x.path("changed_from").asText() + ">" + x.path("cause").asText());
        });
        assertThat(changes).hasSize(lines.size() - 1);
        assertThat(changes.getFirst()).startsWith("ok>");
        assertThat(changes.getLast()).endsWith(">ok");
        assertThat(changes).anyMatch(c -> c.endsWith(">tcp.refused"));
    }

    @Test
    void onATerminalItDrawsTheVerdictTheStepsAndTheChangesAndCtrlCEndsItWithTheSummary() throws Exception {
        assumeTrue(exec("tmux", "-V").exit() == 0, "tmux is not installed: the live screen's test needs a pseudo-terminal");
        int port = Cli.closedPort();
        serve(port);
        String target = "http://127.0.0.1:" + port + "/";
        session = "reach-watch-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        String java = ProcessHandle.current().info().command().orElse("java");
        String cmd = String.join(" ", "env", "-u", "REACH_PLUGINS", "-u", "NO_COLOR", "TERM=xterm-256color",
                "REACH_HISTORY=" + q(tmp.resolve("history.db").toString()), q(java), "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", q("-Dreach.home=" + Cli.HOME), "-cp", q(Cli.HOME.resolve("lib") + "/*"),
                "dev.reach.shell.Main", "watch", q(target), "--interval", "300ms");
        assertThat(exec("tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "40", cmd).exit()).isZero();
        exec("tmux", "set-option", "-t", session, "remain-on-exit", "on");
        String first = await("the live screen", this::screen, s -> s.contains("STEP") && s.contains("\nok: "));
        assertThat(first).contains("reach watch " + target + "  every 0.3s, round ").contains("(Ctrl-C ends it)")
                .containsPattern("connect +tcp.connect +ok +[0-9.]+ms +[0-9.]+ms +0/\\d+  -")
                .contains("no change of verdict yet");
        assertThat(colouredScreen()).as("the ok verdict in green").contains("\u001b[1m\u001b[32mok\u001b[0m");
        stopServing();
        String changed = await("the change on screen", this::screen, s -> s.contains("→ tcp.refused (certain)") && s.contains("\ntcp.refused"));
        assertThat(changed).contains("\ntcp.refused (certain): ").contains("changes:")
                .containsPattern("connect +tcp.connect +fail +[0-9.]+ms +[0-9.]+ms +\\d+/\\d+  \\d\\d:\\d\\d:\\d\\d");
        assertThat(colouredScreen()).as("the fault in red").contains("\u001b[1m\u001b[31mtcp.refused");
        exec("tmux", "send-keys", "-t", session, "C-c");
        // with the scrollback: once the pane is dead, tmux's "Pane is dead" line scrolls the screen up by one
        String end = await("the summary", this::screenAndScrollback, s -> s.contains("watched " + target + " for "));
        assertThat(end).containsPattern("\\d+ rounds: ok [0-9.]+s \\(1 span\\), .*tcp.refused \\(certain\\) [0-9.]+s \\(1 span\\); [12] changes?")
                .doesNotContain("STEP");   // the live screen is gone: the terminal is as it was
    }

    private String screen() throws Exception {
        return exec("tmux", "capture-pane", "-p", "-t", session).out();   // not -J: the screen is drawn by cursor moves
    }

    /** The normal screen and what scrolled off it (the alternate screen keeps no scrollback, so no live screen in it). */
    private String screenAndScrollback() throws Exception {
        return exec("tmux", "capture-pane", "-p", "-S", "-", "-t", session).out();
    }

    private String colouredScreen() throws Exception {
        return exec("tmux", "capture-pane", "-p", "-e", "-t", session).out();
    }

    private static String await(String what, Callable<String> capture, Predicate<String> ready) throws Exception {
        return Terminal.await(what, WAIT_MS, capture, ready);
    }
}
