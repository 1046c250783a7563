package dev.reach.plugins.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightTest {

    @Test
    void oldestIsTheFirstStartedStillInFlight() {
        InFlight f = new InFlight(3);
        int a = f.hold(10, 0, 0, 100, 100);
        int b = f.hold(11, 1, 0, 110, 110);
        int c = f.hold(12, 2, 0, 120, 120);
        assertThat(f.full()).isTrue();
        assertThat(f.oldest()).isEqualTo(a);
        f.release(a); // answered early
        assertThat(f.oldest()).isEqualTo(b);
        f.dropOldest(); // expired
        assertThat(f.oldest()).isEqualTo(c);
        assertThat(f.size()).isEqualTo(1);
    }

    @Test
    void aReusedSlotIsNotMistakenForItsEarlierConnect() {
        InFlight f = new InFlight(2);
        int a = f.hold(10, 0, 0, 100, 100);
        int b = f.hold(11, 1, 0, 110, 110);
        f.release(a);
        int again = f.hold(12, 2, 0, 120, 120); // the same slot, queued last now
        assertThat(again).isEqualTo(a);
        assertThat(f.oldest()).as("the stale entry of the first connect is skipped").isEqualTo(b);
        f.dropOldest();
        assertThat(f.oldest()).isEqualTo(again);
        assertThat(f.attempt[again]).isEqualTo(2);
    }

    @Test
    void theQueueGrowsPastItsFirstSizeAndKeepsTheOrder() {
        InFlight f = new InFlight(1000);
        for (int i = 0; i < 1000; i++) f.hold(i, i, 0, i, i);
        for (int i = 0; i < 1000; i++) {
            assertThat(f.start[f.oldest()]).isEqualTo(i);
            f.dropOldest();
        }
        assertThat(f.oldest()).isEqualTo(-1);
        assertThatThrownBy(f::dropOldest).isInstanceOf(IllegalStateException.class);
    }
}
