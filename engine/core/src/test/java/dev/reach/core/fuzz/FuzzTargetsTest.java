package dev.reach.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.playbook.PlaybookLoader;

import java.io.StringReader;

/**
 * Fuzz targets for what reads untrusted text: each may refuse its input only with the error it documents, never
 * with another exception, a hang or a crash. In every build the seeds under
 * {@code src/test/resources/dev/reach/core/fuzz/FuzzTargetsTestInputs/} run as regression tests; fuzzing for real:
 * {@code JAZZER_FUZZ=1 ./mvnw -pl engine/core test -Dtest=FuzzTargetsTest} (new crashes land beside the seeds).
 */
class FuzzTargetsTest {
    @FuzzTest(maxDuration = "20s")
    void playbookLoader(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            new PlaybookLoader().load(new StringReader(text), "fuzz.yaml", null);
        } catch (PlaybookException expected) {
            // refused with positions: what a bad playbook gets
        }
    }
}
