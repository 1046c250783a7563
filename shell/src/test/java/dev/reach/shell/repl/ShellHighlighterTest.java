package dev.reach.shell.repl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the input line is coloured as, before Enter. */
class ShellHighlighterTest {
    private final Session session = EchoProbe.session();
    private final Shell shell = new Shell(session, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    private final ShellHighlighter highlighter = new ShellHighlighter(shell, true);

    @AfterEach
    void close() {
        session.close();
    }

    /** Each coloured piece of the line as "text:KIND". */
    private List<String> pieces(String line) {
        return highlighter.spans(line).stream().map(s -> line.substring(s.start(), s.end()) + ":" + s.kind()).toList();
    }

    @Test
    void anUnknownParameterIsRedBeforeEnter() {
        assertThat(pieces("test.echo host=a prot=1")).containsExactly("test.echo:PROBE", "host:NAME", "prot=1:WRONG");
    }

    @Test
    void aValueTheSpecRefusesIsRed() {
        assertThat(pieces("test.echo mode=loud port=99999")).containsExactly("test.echo:PROBE", "mode=loud:WRONG", "port=99999:WRONG");
    }

    @Test
    void aNameGivenTwiceIsRed() {
        assertThat(pieces("test.echo host=a host=b")).containsExactly("test.echo:PROBE", "host:NAME", "host=b:WRONG");
    }

    @Test
    void aNameStillBeingTypedIsNotRedYet() {
        assertThat(pieces("test.echo po")).containsExactly("test.echo:PROBE", "po:PLAIN");
        assertThat(pieces("test.echo po x")).containsExactly("test.echo:PROBE", "po:WRONG", "x:WRONG");
    }

    @Test
    void commandsOptionsAndUnknownFirstWords() {
        assertThat(pieces("last --json")).containsExactly("last:COMMAND", "--json:OPTION");
        assertThat(pieces("probe test.echo host=a")).containsExactly("probe:COMMAND", "test.echo:PROBE", "host:NAME");
        assertThat(pieces("lats")).containsExactly("lats:WRONG");
        assertThat(pieces("js last.x == 'a=b'")).containsExactly("js:COMMAND");
    }

    @Test
    void withoutColourTheLineIsPlain() {
        var plain = new ShellHighlighter(shell, false).highlight(null, "test.echo prot=1");
        assertThat(plain.toAnsi()).isEqualTo("test.echo prot=1");
    }
}
