package dev.reach.core.run;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The threads reach gave up on that still run: a probe that ignored the interrupt at its step's deadline, a plugin's
 * probe that did not finish constructing. Java cannot stop a thread that does not cooperate, so they are counted
 * here rather than silently leaked: a long-lived process (the resident reach) can show them and stop itself when
 * too many pile up. A thread drops out of the list when it ends. Thread-safe.
 *
 * <pre>{@code
 * AbandonedThreads abandoned = new AbandonedThreads();
 * abandoned.add(worker, "logs.scan");
 * abandoned.list();     // [Entry[name=logs.scan, since=...]] while the thread runs, [] once it ended
 * }</pre>
 */
public final class AbandonedThreads {
    /**
     * One thread still running.
     *
     * @param name  the probe id, or for a probe that did not finish loading, which plugin and class
     * @param since when reach gave up on it
     */
    public record Entry(String name, Instant since) {
        public Entry {
            Objects.requireNonNull(name);
            Objects.requireNonNull(since);
        }
    }

    private final Map<Thread, Entry> threads = new ConcurrentHashMap<>();

    /** Counts the thread, under the name given, until it ends; a thread that already ended is not counted. */
    public void add(Thread thread, String name) {
        prune();
        if (thread.isAlive()) {
            threads.put(thread, new Entry(name, Instant.now()));
        }
    }

    /** The threads still running, oldest first. */
    public List<Entry> list() {
        prune();
        return threads.values().stream().sorted(Comparator.comparing(Entry::since).thenComparing(Entry::name)).toList();
    }

    /** How many are still running. */
    public int count() {
        prune();
        return threads.size();
    }

    private void prune() {
        threads.keySet().removeIf(t -> !t.isAlive());
    }
}
