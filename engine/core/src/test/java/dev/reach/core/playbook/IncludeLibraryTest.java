package dev.reach.core.playbook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An include by bare name finds an installed playbook when none is beside its includer, so a saved file can move. */
class IncludeLibraryTest {
    private static final String CHILD = """
            steps:
              - id: inner
                verdict: {cause: ok}
            """;

    @Test
    void aBareNameIsLookedUpInTheInstalledPlaybooksWhenItIsNotBesideTheIncluder(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("installed"));
        Files.writeString(lib.resolve("child.yaml"), CHILD);
        Path saved = Files.writeString(Files.createDirectories(tmp.resolve("moved/away")).resolve("saved.yaml"), """
                steps:
                  - id: sub
                    include: child.yaml
                """);
        Playbook pb = new PlaybookLoader(List.of(lib)).load(saved);
        assertThat(pb.steps().getFirst()).isInstanceOfSatisfying(Step.IncludeStep.class,
                i -> assertThat(i.playbook().steps()).extracting(Step::id).containsExactly("inner"));
        assertThatThrownBy(() -> new PlaybookLoader().load(saved)).isInstanceOf(PlaybookException.class)
                .hasMessageContaining("included playbook 'child.yaml' does not exist");
    }

    @Test
    void theFileBesideTheIncluderWinsAndAPathIsNeverLookedUpInTheLibrary(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("installed"));
        Files.writeString(lib.resolve("child.yaml"), CHILD);
        Files.createDirectories(lib.resolve("sub"));
        Files.writeString(lib.resolve("sub/child.yaml"), CHILD);
        Path here = Files.createDirectories(tmp.resolve("here"));
        Files.writeString(here.resolve("child.yaml"), CHILD.replace("inner", "beside"));
        Path saved = Files.writeString(here.resolve("saved.yaml"), """
                steps:
                  - id: sub
                    include: child.yaml
                """);
        Playbook pb = new PlaybookLoader(List.of(lib)).load(saved);
        assertThat(((Step.IncludeStep) pb.steps().getFirst()).playbook().steps()).extracting(Step::id).containsExactly("beside");

        Path nested = Files.writeString(tmp.resolve("nested.yaml"), """
                steps:
                  - id: sub
                    include: sub/child.yaml
                """);
        assertThatThrownBy(() -> new PlaybookLoader(List.of(lib)).load(nested)).isInstanceOf(PlaybookException.class)
                .hasMessageContaining("does not exist").hasMessageNotContaining(" and in ");
    }

    @Test
    void aMissingBareNameSaysWhereItLooked(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("installed"));
        Path saved = Files.writeString(tmp.resolve("saved.yaml"), """
                steps:
                  - id: sub
                    include: nope.yaml
                """);
        assertThatThrownBy(() -> new PlaybookLoader(List.of(lib)).load(saved)).isInstanceOf(PlaybookException.class)
                .hasMessageContaining("saved.yaml:3:").hasMessageContaining("and in " + lib);
    }
}
