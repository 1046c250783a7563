package dev.reach.core.playbook;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every file in invalid/ opens with {@code # expect: LINE:COL: message} (or just a message where the
 * position is the parser's to choose); loading it must be refused with a problem that starts so.
 */
class InvalidPlaybooksTest {
    static final Path DIR = Path.of("src/test/resources/playbooks/invalid");

    static Stream<Path> cases() throws IOException {
        try (var files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithItsPositionAndAFix(Path file) throws IOException {
        String first = Files.readAllLines(file).getFirst();
        assertThat(first).as("fixture must open with '# expect: '").startsWith("# expect: ");
        String expected = first.substring("# expect: ".length());
        PlaybookException e = catchThrowableOfType(PlaybookException.class, () -> Fixtures.load(file));
        assertThat(e).as("%s must be refused", file).isNotNull();
        String prefix = expected.matches("\\d+:\\d+: .*") ? file + ":" + expected : null;
        assertThat(e.problems()).as("problems of %s", file).anySatisfy(p -> {
            if (prefix != null) {
                assertThat(p.toString()).startsWith(prefix);
            } else {
                assertThat(p.toString()).startsWith(file.toString()).contains(expected);
            }
        });
    }
}
