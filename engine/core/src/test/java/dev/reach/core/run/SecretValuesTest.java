package dev.reach.core.run;

import dev.reach.spi.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A secret given by reference instead of on the command line: from a file, standard input or the environment. */
class SecretValuesTest {
    private static final List<Param> PARAMS = List.of(Param.string("password", "the password").secret(), Param.string("note", "text"));

    @TempDir
    Path dir;

    private SecretValues from(String stdin, Map<String, String> env) {
        return SecretValues.from(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env::get, dir);
    }

    @Test
    void aSecretIsReadFromAFileStandardInputOrTheEnvironment() throws Exception {
        Files.writeString(dir.resolve("pw"), "from-file\nsecond line\n");
        var values = from("from-stdin\n", Map.of("PW", "from-env"));
        assertThat(values.resolve(PARAMS, Map.of("password", "@pw"))).containsEntry("password", "from-file");
        assertThat(values.resolve(PARAMS, Map.of("password", "@-"))).containsEntry("password", "from-stdin");
        assertThat(values.resolve(PARAMS, Map.of("password", "@-"))).as("read once, then reused").containsEntry("password", "from-stdin");
        assertThat(values.resolve(PARAMS, Map.of("password", "@env:PW"))).containsEntry("password", "from-env");
    }

    @Test
    void onlySecretsAreReferencesAndOnlyWhenTheUserGaveThem() throws Exception {
        var values = from("", Map.of("PW", "from-env"));
        assertThat(values.resolve(PARAMS, Map.of("note", "@env:PW"))).as("not a secret: taken as written").containsEntry("note", "@env:PW");
        assertThat(SecretValues.NONE.resolve(PARAMS, Map.of("password", "@env:PW"))).containsEntry("password", "@env:PW");
    }

    @Test
    void aReferenceThatCannotBeReadIsAUsageErrorThatShowsNoValue() {
        var values = from("", Map.of());
        assertThatThrownBy(() -> values.resolve(PARAMS, Map.of("password", "@env:NOPE"))).isInstanceOf(UsageException.class)
                .hasMessage("'password=@env:NOPE': the environment has no NOPE (a secret is given as password=@FILE, =@- for"
                        + " standard input, or =@env:NAME)");
        assertThatThrownBy(() -> values.resolve(PARAMS, Map.of("password", "@-"))).hasMessageContaining("standard input is empty");
        assertThatThrownBy(() -> values.resolve(PARAMS, Map.of("password", "@missing"))).hasMessageContaining("missing: no such file");
    }
}
