package dev.reach.shell.repl;

import dev.reach.shell.command.HostPort;
import org.jline.reader.Candidate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tab candidates, from the specs of a real engine (an embedded probe). */
class ShellCompleterTest {
    private final Session session = EchoProbe.session();
    private final Shell shell = new Shell(session, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    private final ShellCompleter completer = new ShellCompleter(shell);

    @AfterEach
    void close() {
        session.close();
    }

    /** The candidates for the last word of {@code line} (a trailing space starts a new, empty word). */
    private List<String> tab(String line) {
        List<String> words = new java.util.ArrayList<>(Arrays.asList(line.split(" ", -1)));
        return completer.candidates(words, words.size() - 1, words.getLast()).stream().map(Candidate::value).toList();
    }

    @Test
    void firstWordOffersCommandsAndProbeIds() {
        assertThat(tab("")).contains("target", "diagnose", "run", "save", "js", "help", "last", "history", "exit", "test.echo");
    }

    @Test
    void afterAProbeItsParameterNamesThenTheirAllowedValues() {
        assertThat(tab("test.echo ")).containsExactlyInAnyOrder("host=", "port=", "mode=", "loud=");
        assertThat(tab("probe test.echo host=a ")).as("given names are not offered again").containsExactlyInAnyOrder("port=", "mode=", "loud=");
        assertThat(tab("test.echo mode=")).containsExactly("mode=ok", "mode=refused");
        assertThat(tab("test.echo loud=")).contains("loud=true", "loud=false");
        assertThat(tab("probe ")).containsExactly("test.echo");
    }

    @Test
    void aParameterNameCandidateLeavesTheCursorAfterTheEqualsSign() {
        var c = completer.candidates(List.of("test.echo", ""), 1, "").stream().filter(x -> x.value().equals("port=")).findFirst().orElseThrow();
        assertThat(c.complete()).as("no space after 'port='").isFalse();
    }

    @Test
    void hostsUsedInTheSessionAreOffered() {
        session.target(HostPort.parse("127.0.0.1:5432"));
        assertThat(tab("test.echo host=")).contains("host=127.0.0.1");
        assertThat(tab("test.echo port=")).contains("port=5432");
        assertThat(tab("diagnose ")).contains("127.0.0.1", "127.0.0.1:5432");
    }

    @Test
    void optionsComeFromTheCommandDefinitions() {
        assertThat(tab("last --j")).containsExactly("--json");
        assertThat(tab("test.echo host=a --ti")).containsExactly("--timeout");
        assertThat(tab("save x.yaml --f")).containsExactly("--force");
    }

    @Test
    void runOffersPlaybookFilesThenTheirInputs(@TempDir Path tmp) throws Exception {
        Path pb = tmp.resolve("check.yaml");
        Files.writeString(pb, """
                name: check
                inputs:
                  host: {type: host, required: true}
                  mode: {type: choice, allowed: [ok, refused], default: ok}
                steps:
                  - id: echo
                    probe: test.echo
                    with: {host: "${inputs.host}", mode: "${inputs.mode}"}
                """);
        Files.createDirectory(tmp.resolve("more"));
        Files.writeString(tmp.resolve("notes.txt"), "not a playbook");
        assertThat(tab("run " + tmp + "/")).contains(pb.toString(), tmp + "/more/").doesNotContain(tmp + "/notes.txt");
        assertThat(tab("run " + pb + " ")).containsExactlyInAnyOrder("host=", "mode=");
        assertThat(tab("run " + pb + " mode=")).containsExactly("mode=ok", "mode=refused");
    }

    @Test
    void aFileInputOffersTheFilesUnderWhatIsTyped(@TempDir Path tmp) throws Exception {
        Path pb = tmp.resolve("tls.yaml");
        Files.writeString(pb, """
                inputs:
                  ca: {type: file, default: /etc/ssl/certs/ca-certificates.crt}
                steps:
                  - id: echo
                    probe: test.echo
                    with: {host: 127.0.0.1}
                """);
        Files.createDirectory(tmp.resolve("certs"));
        Files.writeString(tmp.resolve("certs/lab-ca.pem"), "not read");
        assertThat(tab("run " + pb + " ca=" + tmp + "/")).contains("ca=" + tmp + "/certs/", "ca=" + pb);
        assertThat(tab("run " + pb + " ca=" + tmp + "/certs/")).contains("ca=" + tmp + "/certs/lab-ca.pem");
    }

    @Test
    void helpOffersCommandsAndProbes() {
        assertThat(tab("help ")).contains("save", "test.echo");
    }
}
