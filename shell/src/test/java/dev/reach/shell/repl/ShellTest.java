package dev.reach.shell.repl;

import dev.reach.shell.command.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Lines typed in the shell, run on a real session and engine (an embedded probe, no terminal, no network). */
class ShellTest {
    private final Session session = EchoProbe.session();
    private final StringWriter text = new StringWriter();
    private final Shell shell = new Shell(session, new PrintWriter(text, true), new PrintWriter(text, true));

    @AfterEach
    void close() {
        session.close();
    }

    private String run(String line) {
        text.getBuffer().setLength(0);
        shell.execute(line, Arrays.asList(line.trim().split("\\s+")));
        return text.toString();
    }

    @Test
    void aLineStartingWithAProbeIdRunsThatProbe() {
        assertThat(shell.words("test.echo host=a", List.of("test.echo", "host=a"))).containsExactly("probe", "test.echo", "host=a");
        assertThat(shell.words("dns.resolv name=x", List.of("dns.resolv", "name=x"))).as("shaped like a probe: the engine says did-you-mean")
                .startsWith("probe");
        assertThat(shell.words("history", List.of("history"))).containsExactly("history");
        assertThat(run("test.echo host=127.0.0.1 port=7")).contains("127.0.0.1:7 answered");
    }

    @Test
    void jsTakesTheRestOfTheLineAsTyped() {
        String line = "js last.cause == 'tcp.refused'";
        assertThat(shell.words(line, List.of("js", "last.cause", "==", "tcp.refused")))
                .containsExactly("js", "--", "last.cause == 'tcp.refused'");
    }

    @Test
    void aContinuedLineLosesItsNewline() {
        assertThat(shell.words("test.echo host=a \\\nport=1", List.of("test.echo", "host=a", "\nport=1")))
                .containsExactly("probe", "test.echo", "host=a", "port=1");
    }

    @Test
    void targetFillsHostAndPortWhenNotGiven() {
        assertThat(run("target 127.0.0.1:7")).contains("target 127.0.0.1:7");
        assertThat(run("test.echo")).contains("127.0.0.1:7 answered");
        assertThat(run("test.echo port=9")).as("a given port wins").contains("127.0.0.1:9 answered");
        assertThat(session.entries().getLast().request()).isEqualTo(new Request.ProbeRequest("test.echo", Map.of("host", "127.0.0.1", "port", "9")));
        assertThat(session.hosts()).containsExactly("127.0.0.1");
        assertThat(run("target --clear")).contains("target cleared");
        assertThat(run("test.echo")).contains("missing required parameter 'host'");
    }

    @Test
    void unknownCommandsAndParametersSayWhatToDo() {
        assertThat(run("histroy")).contains("unknown command 'histroy'; did you mean 'history'?");
        assertThat(run("test.echo host=a prot=1")).contains("unknown parameter 'prot' for test.echo; did you mean 'port'?");
        assertThat(run("test.ech host=a")).contains("unknown probe 'test.ech'; did you mean 'test.echo'?");
        assertThat(run("target [::1")).contains("']' is missing");
        assertThat(session.entries()).as("nothing that could not run is recorded").isEmpty();
    }

    @Test
    void lastAndHistoryShowResultsOfThisSession() {
        assertThat(run("last")).contains("nothing ran yet");
        run("test.echo host=a port=1");
        run("test.echo host=b port=2 mode=refused");
        assertThat(run("history")).contains("  1  ").contains("ok        test.echo host=a port=1")
                .contains("tcp.refused test.echo host=b port=2 mode=refused");
        assertThat(run("last")).contains("b:2 refused").contains("seen: b:2");
        assertThat(run("last 1")).contains("a:1 answered");
        assertThat(run("last --json")).contains("\"schema\": \"reach.run/1\"").contains("\"tcp.refused\"");
        assertThat(run("last 7")).contains("no result 7");
    }

    @Test
    void helpListsCommandsAndDescribesAProbeFromItsSpec() {
        assertThat(run("help")).contains("diagnose", "target", "save", "js", "exit")
                .contains("diagnose runs playbooks/unreachable.yaml");
        assertThat(run("help test.echo")).contains("mode=ok|refused (default ok)").contains("seen");
        assertThat(run("help save")).contains("--force");
        assertThat(run("help nope")).contains("no command or probe 'nope'");
    }

    @Test
    void saveWritesAPlaybookThatReplaysToTheSameVerdictAndNeverOverwrites(@TempDir Path tmp) throws Exception {
        assertThat(run("save " + tmp.resolve("empty.yaml"))).contains("nothing to save");
        run("target 127.0.0.1:7");
        run("test.echo");
        run("test.echo host=198.18.0.1 mode=refused");
        Path file = tmp.resolve("session.yaml");
        assertThat(run("save " + file)).contains("saved 2 step(s)");
        var reach = session.reach();
        var replay = reach.run(reach.load(file), Map.of(), dev.reach.core.run.RunOptions.defaults());
        assertThat(replay.verdict().cause()).isEqualTo(session.entries().getLast().result().verdict().cause()).isEqualTo("tcp.refused");
        assertThat(replay.steps()).extracting(s -> s.observation().facts().get("seen")).containsExactly("127.0.0.1:7", "198.18.0.1:7");

        String before = Files.readString(file);
        run("test.echo");
        assertThat(run("save " + file)).contains("exists").contains("--force");
        assertThat(Files.readString(file)).isEqualTo(before);
        assertThat(run("save " + file + " --force")).contains("saved 3 step(s)");
    }

    @Test
    void jsEvaluatesOverTheSessionsResults() {
        run("test.echo host=a port=1");
        run("test.echo host=b port=2 mode=refused");
        assertThat(run("js last.facts.seen").strip()).isEqualTo("b:2");
        assertThat(run("js history.map(r => r.status)").strip()).isEqualTo("[\"ok\",\"fail\"]");
        assertThat(run("js steps.echo_2.cause == 'tcp.refused'").strip()).isEqualTo("true");
        assertThat(run("js java.lang.System.exit(1)")).as("the sandbox has no host access").contains("reach: js:");
    }

    @Test
    void aRunawayJsExpressionIsStoppedAndTheNextOneWorks() {
        long t0 = System.nanoTime();
        assertThat(run("js (() => { while (true) {} })()")).as("the sandbox's statement limit or the shell's deadline").contains("reach: js:").contains("stopped");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(20_000);
        assertThat(run("js 6 * 7").strip()).isEqualTo("42");
    }

    @Test
    void exitEndsTheSession() {
        run("exit");
        assertThat(session.exitRequested()).isTrue();
    }
}
