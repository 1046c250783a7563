package dev.reach.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.reach.dist.Terminal.exec;
import static dev.reach.dist.Terminal.q;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The interactive shell end to end: the built distribution in a real pseudo-terminal (tmux), driven by real
 * key presses (Tab, Enter, Ctrl-C, Ctrl-D), against listeners on loopback.
 */
class ShellIT {
    private static final long WAIT_MS = 60_000;

    @TempDir
    Path tmp;

    private String session;
    private long panePid;

    @BeforeAll
    static void tmuxIsInstalled() throws Exception {
        assumeTrue(exec("tmux", "-V").exit() == 0, "tmux is not installed: the shell's end-to-end tests need a pseudo-terminal");
    }

    @AfterEach
    void stopTheShell() throws Exception {
        if (session != null) {
            exec("tmux", "kill-session", "-t", session);
        }
        if (panePid > 0) {
            ProcessHandle.of(panePid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void tabCompletesAProbeAndItsParametersAndRunsItAgainstALoopbackListener() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            start();
            keys("tcp.conn", "Tab");
            await("the probe id completed", s -> s.contains("reach> tcp.connect"));
            keys("h", "Tab");
            await("host= completed", s -> s.contains("tcp.connect host="));
            keys("127.0.0.1 prot=1");
            await("the typo is shown red before Enter", this::colouredScreen, s -> s.contains("\u001b[1m\u001b[31mprot=1"));
            keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "po", "Tab");
            await("port= completed", s -> s.contains("host=127.0.0.1 port="));
            keys(server.getLocalPort() + "", "Enter");
            String screen = await("the result", s -> s.contains("accepted the connection"));
            assertThat(screen).contains("✔ tcp.connect").contains("127.0.0.1:" + server.getLocalPort());
            await("the prompt is back", ShellIT::promptLast);
            keys("C-d");
            awaitExit();
            assertThat(Files.readString(tmp.resolve("config/reach/history"))).as("history persists in the config folder")
                    .contains("tcp.connect host=127.0.0.1 port=" + server.getLocalPort());
        }
    }

    @Test
    void ctrlCCancelsALongProbeAndReturnsToThePrompt() throws Exception {
        // a listener whose accept queue is full drops further SYNs: a connect to it hangs (wait=full: the adaptive
        // wait would call the port filtered within 250 ms, the host answering), on loopback, without root
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Socket s = new Socket();
                    fillers.add(s);
                    try {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
                    } catch (IOException full) {
                        break;
                    }
                }
                start();
                keys("tcp.connect host=127.0.0.1 port=" + port + " timeout=30s wait=full", "Enter");
                await("the spinner shows the running probe", s -> s.contains("tcp.connect (tcp.connect host=127.0.0.1 port=" + port));
                long t0 = System.nanoTime();
                keys("C-c");
                String screen = await("the run is cancelled", s -> s.contains("Took") && promptLast(s));
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ms from Ctrl-C to the prompt").isLessThan(5000);
                assertThat(screen).contains("cancelled").contains("Verdict: inconclusive");
                keys("history", "Enter");
                await("the shell lives on and lists the cancelled run", s -> s.contains("cancelled tcp.connect"));
                keys("exit", "Enter");
                awaitExit();
            } finally {
                for (Socket s : fillers) s.close();
            }
        }
    }

    @Test
    void saveWritesAPlaybookThatReachRunReplaysWithTheSameResult() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            int open = server.getLocalPort();
            int closed = Cli.closedPort();
            start();
            keys("target 127.0.0.1:" + open, "Enter");
            await("the prompt shows the target", s -> s.contains("reach 127.0.0.1:" + open + ">"));
            keys("tcp.connect", "Enter");
            await("the target's port answers", s -> s.contains("127.0.0.1:" + open + " accepted the connection"));
            keys("tcp.connect port=" + closed, "Enter");
            await("the closed port is refused", s -> s.contains("127.0.0.1:" + closed + " refused the connection")
                    && s.contains("Verdict: tcp.refused"));
            keys("save session.yaml", "Enter");
            await("saved", s -> s.contains("saved 2 step(s) to session.yaml"));
            keys("save session.yaml", "Enter");
            await("an existing file is not replaced", s -> s.contains("session.yaml exists; choose another name or add --force"));
            keys("js steps.connect_2.cause", "Enter");
            await("js sees the session's results", s -> s.contains("\ntcp.refused\n"));
            keys("last --json", "Enter");
            await("last --json", s -> s.contains("\"exit_code\": 1"));
            keys("exit", "Enter");
            awaitExit();

            Path saved = tmp.resolve("session.yaml");
            var replay = Cli.reach("run", saved.toString(), "--json");
            assertThat(replay.exit()).as(replay.toString()).isEqualTo(1);
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replay.out());
            assertThat(json.get("verdict").get("cause").asText()).isEqualTo("tcp.refused");
            assertThat(json.get("steps").findValuesAsText("status")).containsExactly("ok", "fail");
            var other = Cli.reach("run", saved.toString(), "--set", "port=" + closed);
            assertThat(other.out()).as("the target became an input").contains("127.0.0.1:" + closed + " refused the connection");
        }
    }

    // --- driving tmux

    private void start() throws Exception {
        session = "reach-shell-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        String java = ProcessHandle.current().info().command().orElse("java");
        String cmd = String.join(" ", "env", "-u", "REACH_PLUGINS", "XDG_CONFIG_HOME=" + q(tmp.resolve("config").toString()),
                q(java), "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                q("-Dreach.home=" + Cli.HOME), "-cp", q(Cli.HOME.resolve("lib") + "/*"), "dev.reach.shell.Main", "shell");
        var r = exec("tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "50", "-c", tmp.toString(), cmd);
        assertThat(r.exit()).as("tmux new-session: " + r.out()).isZero();
        String pid = exec("tmux", "display-message", "-p", "-t", session, "#{pane_pid}").out().strip();
        assertThat(pid).as("the shell is running in tmux (it exits at once when java cannot start)").matches("\\d+");
        panePid = Long.parseLong(pid);
        await("the first prompt", ShellIT::promptLast);
    }

    private void keys(String... keys) throws Exception {
        for (String k : keys) {
            List<String> cmd = new ArrayList<>(List.of("tmux", "send-keys", "-t", session));
            boolean named = k.equals("Tab") || k.equals("Enter") || k.equals("BSpace") || k.startsWith("C-");
            if (!named) cmd.add("-l"); // literal text, not key names
            cmd.add(k);
            assertThat(exec(cmd.toArray(String[]::new)).exit()).isZero(); // a Tab's redraw is awaited by its caller
        }
    }

    private String screen() throws Exception {
        return exec("tmux", "capture-pane", "-p", "-J", "-S", "-200", "-t", session).out();
    }

    private String colouredScreen() throws Exception {
        return exec("tmux", "capture-pane", "-p", "-e", "-t", session).out();
    }

    private String await(String what, Predicate<String> ready) throws Exception {
        return await(what, this::screen, ready);
    }

    /** Polls the screen until {@code ready} holds; fails with the screen after {@link #WAIT_MS}. */
    private String await(String what, Callable<String> capture, Predicate<String> ready) throws Exception {
        return Terminal.await(what, WAIT_MS, capture, ready);
    }

    private void awaitExit() throws Exception {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        while (System.nanoTime() < deadline && ProcessHandle.of(panePid).map(ProcessHandle::isAlive).orElse(false)) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(panePid).map(ProcessHandle::isAlive).orElse(false)).as("the shell exited").isFalse();
    }

    /** The last non-empty line is a prompt, with nothing typed after it. */
    private static boolean promptLast(String screen) {
        List<String> lines = screen.lines().filter(l -> !l.isBlank()).toList();
        return !lines.isEmpty() && lines.getLast().matches("reach( \\S+)?>\\s*");
    }
}
