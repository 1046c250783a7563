package dev.reach.shell.repl;

import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A shell line that gives a secret parameter runs, but never reaches the history (nor its file). */
class ReplHistoryTest {
    @Test
    void linesGivingASecretStayOutOfHistoryOthersGoIn() throws Exception {
        try (Terminal t = TerminalBuilder.builder().dumb(true).streams(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()).build()) {
            DefaultHistory history = new DefaultHistory();
            LineReader reader = LineReaderBuilder.builder().terminal(t).history(history)
                    .variable(LineReader.HISTORY_IGNORE, History.ignorePattern(Set.of("password", "token"))).build();
            history.attach(reader);
            history.add("probe redis.ping host=127.0.0.1 password=s3cret");
            history.add("probe x.y token=abc host=127.0.0.1");
            history.add("js probe('redis.ping', {host: '127.0.0.1', password: 's3cret'})");
            history.add("js probe('redis.ping', {host: '127.0.0.1', password : 's3cret'})");
            history.add("probe tcp.connect host=127.0.0.1 port=22");
            assertThat(history.size()).isEqualTo(1);
            assertThat(history.get(history.first())).isEqualTo("probe tcp.connect host=127.0.0.1 port=22");
        }
    }

    @Test
    void aRunThatGivesAPlaybooksSecretInputStaysOutOfHistory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path pb = java.nio.file.Files.writeString(dir.resolve("db.yaml"), """
                inputs:
                  pin: {type: string, required: true, secret: true}
                  host: {type: host, default: 127.0.0.1}
                steps:
                  - id: echo
                    probe: test.echo
                    with: {host: "${inputs.host}"}
                """);
        Session session = EchoProbe.session();
        try {
            var history = History.withoutSecretInputs(session::reach);
            history.add("run " + pb + " --set pin=1234");
            history.add("run " + pb + " pin=1234 host=127.0.0.1");
            history.add("run " + pb + " --set host=127.0.0.1");
            assertThat(history.size()).isEqualTo(1);
            assertThat(history.get(history.first())).isEqualTo("run " + pb + " --set host=127.0.0.1");
        } finally {
            session.close();
        }
    }

    @Test
    void noSecretsIgnoresNothing() {
        assertThat(History.ignorePattern(Set.of())).isEmpty();
        assertThat(History.ignorePattern(new java.util.TreeSet<>(Set.of("token", "password"))))
                .isEqualTo("*password=*:*password\\:*:*password \\:*:*token=*:*token\\:*:*token \\:*");
    }
}
