package dev.reach.testkit;

import dev.reach.core.run.Cancellation;
import dev.reach.core.run.HostPrivileges;
import dev.reach.core.playbook.ParamBinder;
import dev.reach.core.run.ProbeInvoker;
import dev.reach.spi.Observation;
import dev.reach.spi.Probe;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a probe the way the engine does (bound params, a real deadline, its own platform thread, needs
 * checked) and hands back the observation for assertions; a cause the probe's spec does not declare (when it
 * declares any: see {@link SpecConventions}) fails the run.
 *
 * <pre>{@code
 * Observation o = ProbeHarness.run(new TcpConnectProbe(), "host=127.0.0.1", "port=" + closedPort);
 * assertThat(o.cause()).contains("tcp.refused");
 * }</pre>
 */
public final class ProbeHarness {
    /** The deadline given to a probe unless a test says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private ProbeHarness() {
    }

    /** Runs with {@code k=v} parameters as a user would type them. */
    public static Observation run(Probe probe, String... keyValues) {
        return run(probe, DEFAULT_TIMEOUT, parse(keyValues));
    }

    /** Runs with {@code k=v} parameters and a step deadline: the probe's context ends {@code timeout} from now. */
    public static Observation run(Probe probe, Duration timeout, String... keyValues) {
        return run(probe, timeout, parse(keyValues));
    }

    /** Runs with raw parameter values (as YAML would give them) and a step deadline. */
    public static Observation run(Probe probe, Duration timeout, Map<String, ?> raw) {
        var binding = ParamBinder.bind(probe.spec(), raw);
        if (!binding.ok()) {
            throw new AssertionError("parameters do not bind: " + binding.errors());
        }
        Observation o = new ProbeInvoker(HostPrivileges.current())
                .invoke(probe, binding.params(), timeout, new Cancellation(), message -> { });
        List<String> declared = probe.spec().causes();
        if (!declared.isEmpty() && o.cause().isPresent() && !declared.contains(o.cause().get())) {
            throw new AssertionError(probe.spec().id() + " returned cause '" + o.cause().get() + "', which its spec does not declare "
                    + "(it declares " + String.join(", ", declared) + "): add it to .causes(...) if it is right\n" + o);
        }
        var facts = probe.spec().facts().stream().map(dev.reach.spi.Fact::name).toList();
        if (!facts.isEmpty()) {
            var undeclared = o.facts().keySet().stream().filter(k -> !facts.contains(k) && !UNIVERSAL_FACTS.contains(k)).toList();
            if (!undeclared.isEmpty()) {
                throw new AssertionError(probe.spec().id() + " returned fact(s) " + undeclared + ", which its spec does not declare: "
                        + "add each with .fact(name, type, description), so help, --json readers and playbooks know it\n" + o);
            }
        }
        return o;
    }

    /** Facts the engine itself may add to any observation (a cut-short step's marker). */
    private static final java.util.Set<String> UNIVERSAL_FACTS = java.util.Set.of("cut_short", "exception");

    /** Splits {@code k=v} words into a map. */
    public static Map<String, Object> parse(String... keyValues) {
        Map<String, Object> raw = new LinkedHashMap<>();
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected k=v, got '" + kv + "'");
            }
            raw.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return raw;
    }
}
