package dev.reach.core.playbook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A playbook saved in another encoding than UTF-8 is refused at the byte that is not UTF-8, by file, line and column. */
class PlaybookEncodingTest {
    @TempDir
    Path dir;

    /** "café" written in Latin-1: é is the single byte 0xE9, which UTF-8 cannot read. */
    private Path latin1(String fileName, String before, String after) throws Exception {
        byte[] head = before.getBytes(StandardCharsets.UTF_8);
        byte[] tail = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0xE9;
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        return Files.write(dir.resolve(fileName), all);
    }

    @Test
    void aYamlPlaybookThatIsNotUtf8IsRefusedAtItsLineAndColumn() throws Exception {
        Path file = latin1("cafe.yaml", "name: cafe\n# ✔ checks\nsteps:\n  - id: caf", "\n    probe: tcp.connect\n");

        assertThatThrownBy(() -> new PlaybookLoader().load(file))
                .isInstanceOf(PlaybookException.class)
                .hasMessage(file + ":4:12: the file is not UTF-8 text: byte 0xE9 is not a valid UTF-8 character there"
                        + " (was it saved as Latin-1 or Windows-1252?); save it as UTF-8")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Exception").doesNotContain("Input length"));
    }

    @Test
    void aJsPlaybookThatIsNotUtf8IsRefusedTheSameWay() throws Exception {
        Path file = latin1("cafe.js", "// caf", "\nexport function main() {}\n");

        assertThatThrownBy(() -> new dev.reach.core.script.JsPlaybooks(Fixtures.ENGINE).load(file))
                .isInstanceOf(PlaybookException.class)
                .hasMessageStartingWith(file + ":1:7: the file is not UTF-8 text: byte 0xE9");
    }

    @Test
    void utf8TextReadsAsItIs() throws Exception {
        assertThat(PlaybookText.decode("name: ✔ café\n".getBytes(StandardCharsets.UTF_8), "x.yaml")).isEqualTo("name: ✔ café\n");
    }
}
