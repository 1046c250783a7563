package dev.reach.core.plugin;

import dev.reach.core.run.AbandonedThreads;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A plugin's calls as one batch on a thread of their own, each under its own deadline. */
class PluginCallsTest {
    private final AbandonedThreads abandoned = new AbandonedThreads();
    private final PluginCalls calls = new PluginCalls(Duration.ofMillis(300), abandoned);

    @Test
    void everyCallRunsInOrderOnOneThreadAndSaysWhatItReturnedOrThrew() {
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        var out = calls.callAll(List.of(
                new PluginCalls.Call<>("a", stage -> { threads.add(Thread.currentThread().getName()); return "A"; }),
                new PluginCalls.Call<>("b", stage -> { threads.add(Thread.currentThread().getName()); throw new IllegalStateException("no"); }),
                new PluginCalls.Call<>("c", stage -> { threads.add(Thread.currentThread().getName()); return "C"; })));

        assertThat(out).extracting(PluginCalls.Outcome::value).containsExactly("A", null, "C");
        assertThat(out.get(1).failure()).hasMessage("no");
        assertThat(out).noneMatch(PluginCalls.Outcome::timedOut);
        assertThat(threads).hasSize(3).allMatch(t -> t.equals(threads.getFirst()) && t.startsWith("plugin-load-"));
        assertThat(abandoned.count()).isZero();
    }

    @Test
    void aCallThatHangsIsGivenUpOnAtItsStageAndTheRestRunInANewThread() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        var out = calls.callAll(List.of(
                new PluginCalls.Call<>("fine", stage -> { threads.add(Thread.currentThread().getName()); return "A"; }),
                new PluginCalls.Call<>("stuck", stage -> {
                    stage.reached(1);
                    return release.await(5, TimeUnit.SECONDS) ? "released" : "never"; // the interrupt ends it sooner
                }),
                new PluginCalls.Call<>("after", stage -> { threads.add(Thread.currentThread().getName()); return "C"; })));
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(out).extracting(PluginCalls.Outcome::timedOut).containsExactly(false, true, false);
        assertThat(out.get(1).stage()).isEqualTo(1);
        assertThat(out.get(1).value()).isNull();
        assertThat(out.get(2).value()).isEqualTo("C");
        assertThat(threads).hasSize(2).doesNotHaveDuplicates();
        assertThat(ms).as("ms").isBetween(300L, 2_000L);
        release.countDown();
    }

    @Test
    void aCallDeafToInterruptsIsCountedAsAbandonedUntilItEnds() {
        var out = calls.callAll(List.of(new PluginCalls.Call<>("deaf", stage -> {
            long end = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return "late";
        })));

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.timedOut()).isTrue();
            assertThat(o.value()).isNull();
            assertThat(o.stage()).isZero();
        });
        assertThat(abandoned.list()).extracting(AbandonedThreads.Entry::name).containsExactly("deaf");
    }
}
