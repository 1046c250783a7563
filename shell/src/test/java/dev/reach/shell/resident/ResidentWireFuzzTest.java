package dev.reach.shell.resident;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzz target for the resident reach's request reader, the one thing it reads from a client before it knows it:
 * any bytes are a request or an {@link IOException} saying why not; never another exception, a hang or more than
 * {@link ResidentWire#MAX_REQUEST} read. Seeds under
 * {@code src/test/resources/dev/reach/shell/resident/ResidentWireFuzzTestInputs/} run in every build; fuzzing for
 * real: {@code JAZZER_FUZZ=1 ./mvnw -pl shell test -Dtest=ResidentWireFuzzTest}.
 */
class ResidentWireFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void clientRequests(byte[] bytes) {
        if (bytes == null) return;
        try {
            ResidentWire.ClientRequest.read(new ByteArrayInputStream(bytes));
        } catch (IOException refused) {
            // a request it cannot read: the resident declines it, saying why
        }
    }
}
