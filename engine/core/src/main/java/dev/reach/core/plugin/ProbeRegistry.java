package dev.reach.core.plugin;

import dev.reach.spi.Probe;
import dev.reach.spi.ProbeSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The probes this process can run, by id, and the plugin each came from. Immutable.
 *
 * <p>Two probes with one id are refused together, whichever loaded first: nothing silently replaces
 * another probe. A built-in probe (from a plugin shipped with reach) is never taken away this way: a third-party
 * plugin's probe with its id is refused, named as a problem, and the built-in one keeps working.
 *
 * <pre>{@code
 * ProbeRegistry.Builder b = ProbeRegistry.builder().add(new EchoProbe());   // plugin "embedded"
 * ProbeRegistry registry = b.build();
 * b.problems();                        // duplicate ids and spec() failures
 * registry.find("echo.say");           // Optional<Probe>
 * }</pre>
 */
public final class ProbeRegistry {
    /** The plugin name of probes an embedder registers directly. */
    public static final String EMBEDDED = "embedded";

    private final SortedMap<String, Entry> byId;

    private record Entry(Probe probe, String plugin) {}

    /**
     * The plugin's own object behind a registered probe (the registry hands out a wrapper that holds the spec read at
     * load): for checks of the plugin's classes, such as its naming conventions. Any other probe is returned as it is.
     */
    public static Probe unwrap(Probe registered) {
        return registered instanceof Read r ? r.probe() : registered;
    }

    /**
     * A probe as registered: its spec as read once when it was added (under the plugin loader's deadline), so no later
     * call (binding, help, a run) waits on a {@code spec()} that behaved at load and hangs afterwards.
     */
    private record Read(Probe probe, ProbeSpec spec) implements Probe {
        @Override
        public void prepare() {
            probe.prepare();
        }

        @Override
        public dev.reach.spi.Observation run(dev.reach.spi.ProbeContext ctx, dev.reach.spi.Params params) throws Exception {
            return probe.run(ctx, params);
        }

        @Override
        public String toString() {
            return probe.toString();
        }
    }

    private ProbeRegistry(SortedMap<String, Entry> byId) {
        this.byId = Collections.unmodifiableSortedMap(byId);
    }

    /** A registry of probes registered as {@link #EMBEDDED}; any problem is a bug in the caller. */
    public static ProbeRegistry of(Probe... probes) {
        Builder b = builder();
        for (Probe p : probes) {
            b.add(p);
        }
        if (!b.problems().isEmpty()) {
            throw new IllegalArgumentException(b.problems().getFirst().message());
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<Probe> find(String id) {
        return Optional.ofNullable(byId.get(id)).map(Entry::probe);
    }

    /** Every probe, sorted by id. */
    public List<Probe> all() {
        return byId.values().stream().map(Entry::probe).toList();
    }

    /** Every probe id, sorted. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** The plugin id the probe came from, or {@link #EMBEDDED}. */
    public Optional<String> pluginOf(String id) {
        return Optional.ofNullable(byId.get(id)).map(Entry::plugin);
    }

    public int size() {
        return byId.size();
    }

    @Override
    public String toString() {
        return "ProbeRegistry" + byId.keySet();
    }

    /** Collects probes; those whose spec() fails and ids offered twice become {@link #problems()}. */
    public static final class Builder {
        private record Offer(Probe probe, String plugin, Path source, boolean builtIn) {
            String label() {
                return "'" + plugin + "'" + (source == null ? "" : " (" + source + ")");
            }
        }

        private final Map<String, List<Offer>> offers = new LinkedHashMap<>();
        private final List<PluginProblem> specProblems = new ArrayList<>();

        private Builder() {}

        /** Registers a probe as {@link #EMBEDDED}. */
        public Builder add(Probe probe) {
            return add(probe, EMBEDDED, null);
        }

        /**
         * Registers a probe from a plugin.
         *
         * @param source the plugin's jar or directory, shown in problems; {@code null} when there is none
         */
        public Builder add(Probe probe, String plugin, Path source) {
            return add(probe, plugin, source, false);
        }

        /**
         * Registers a probe from a plugin, {@code builtIn} when the plugin is one reach ships: its id cannot be
         * taken by another plugin.
         *
         * @param source the plugin's jar or directory, shown in problems; {@code null} when there is none
         */
        public Builder add(Probe probe, String plugin, Path source, boolean builtIn) {
            return add(probe, probe::spec, plugin, source, builtIn);
        }

        /**
         * Registers a probe whose spec the given call reads: the plugin loader's runs {@code spec()} under a deadline,
         * and throws {@link PluginRefused} (reported as it says) when the probe misses it.
         */
        Builder add(Probe probe, Callable<ProbeSpec> specOf, String plugin, Path source, boolean builtIn) {
            Objects.requireNonNull(probe);
            Objects.requireNonNull(plugin);
            String where = "probe class '" + probe.getClass().getName() + "' "
                    + (plugin.equals(EMBEDDED) ? "registered by the embedder" : "in plugin '" + plugin + "'");
            ProbeSpec spec;
            try {
                spec = specOf.call();
            } catch (PluginRefused e) {
                specProblems.add(e.toProblem());
                return this;
            } catch (Throwable t) {
                specProblems.add(PluginProblem.of(plugin, where + " failed in spec(): " + PluginProblem.brief(t), t));
                return this;
            }
            if (spec == null) {
                specProblems.add(PluginProblem.of(plugin, where + " returned null from spec()"));
                return this;
            }
            offers.computeIfAbsent(spec.id(), id -> new ArrayList<>()).add(new Offer(new Read(probe, spec), plugin, source, builtIn));
            return this;
        }

        /** Probes whose spec() failed, then each id offered more than once (in the order first offered). */
        public List<PluginProblem> problems() {
            List<PluginProblem> out = new ArrayList<>(specProblems);
            offers.forEach((id, list) -> {
                Optional<Offer> builtIn = soleBuiltIn(list);
                if (builtIn.isPresent()) {
                    list.stream().filter(o -> !o.builtIn()).forEach(o -> out.add(PluginProblem.of(o.plugin(),
                            "probe id '" + id + "' of plugin " + o.label() + " is the id of a probe reach ships, in plugin "
                                    + builtIn.get().label() + ": that one stays and this one is not loaded; give it an id of its own")));
                } else if (list.size() > 1) {
                    out.add(duplicate(id, list));
                }
            });
            return List.copyOf(out);
        }

        /** The registry of every id offered exactly once, and of every built-in id, whoever else offered it. */
        public ProbeRegistry build() {
            SortedMap<String, Entry> byId = new TreeMap<>();
            offers.forEach((id, list) -> {
                Optional<Offer> one = list.size() == 1 ? Optional.of(list.getFirst()) : soleBuiltIn(list);
                one.ifPresent(o -> byId.put(id, new Entry(o.probe(), o.plugin())));
            });
            return new ProbeRegistry(byId);
        }

        /** The built-in offer among others that are not; empty when there is none, or more than one (a clash to fix in reach). */
        private static Optional<Offer> soleBuiltIn(List<Offer> list) {
            List<Offer> builtIn = list.stream().filter(Offer::builtIn).toList();
            return builtIn.size() == 1 && list.size() > 1 ? Optional.of(builtIn.getFirst()) : Optional.empty();
        }

        private static PluginProblem duplicate(String id, List<Offer> list) {
            Offer last = list.getLast();
            if (list.stream().allMatch(o -> o.plugin().equals(last.plugin()))) {
                List<String> classes = list.stream().map(o -> ((Read) o.probe()).probe().getClass().getName()).toList();
                return PluginProblem.of(last.plugin(), "probe id '" + id + "' is provided by " + both(classes)
                        + " in plugin " + last.label() + "; remove one");
            }
            List<String> labels = list.stream().map(Offer::label).toList();
            return PluginProblem.of(last.plugin(), "probe id '" + id + "' is provided by " + both(labels)
                    + "; remove " + (list.size() == 2 ? "one" : "all but one"));
        }

        private static String both(List<String> names) {
            String head = String.join(", ", names.subList(0, names.size() - 1));
            return (names.size() == 2 ? "both " : "") + head + " and " + names.getLast();
        }
    }
}
