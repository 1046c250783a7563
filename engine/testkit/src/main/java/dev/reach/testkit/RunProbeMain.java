package dev.reach.testkit;

import dev.reach.spi.Observation;
import dev.reach.spi.ParamType;
import dev.reach.spi.Probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs one probe through {@link ProbeHarness} in a fresh JVM and prints one line on stdout,
 * {@code status|cause|outcome|summary} (an empty field where there is none), and on stderr each evidence
 * line as {@code evidence: ...} and each fact as {@code fact: name=value}. Tests use it to run a probe
 * where the test JVM cannot go: inside a network namespace of a {@link Netns} lab.
 *
 * <pre>
 * $ ip netns exec rt-3fa9c1-cli java -cp "$TEST_CLASSPATH" dev.reach.testkit.RunProbeMain \
 *       dev.reach.plugins.net.TcpConnectProbe host=198.18.0.2 port=81
 * fail|tcp.refused|refused|198.18.0.2:81 refused the connection: nothing listens there, ...
 * </pre>
 *
 * From a test: {@code RunProbeMain.Line r = RunProbeMain.runIn(lab, client, TcpConnectProbe.class, "host=198.18.0.2", "port=81");}
 */
public final class RunProbeMain {
    /** Exit code for a usage error (no probe class, unknown class, parameters that do not bind). */
    public static final int USAGE = 2;

    private RunProbeMain() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: RunProbeMain <probe class> [k=v ...]");
            System.exit(USAGE);
        }
        Observation o;
        try {
            Probe probe = (Probe) Class.forName(args[0]).getDeclaredConstructor().newInstance();
            o = ProbeHarness.run(probe, Arrays.copyOfRange(args, 1, args.length));
        } catch (ReflectiveOperationException | ClassCastException | IllegalArgumentException | AssertionError e) {
            System.err.println("RunProbeMain: " + e);
            System.exit(USAGE);
            return;
        }
        System.out.println(line(o));
        o.evidence().forEach(e -> System.err.println("evidence: " + e));
        o.facts().forEach((k, v) -> System.err.println("fact: " + k + "=" + ParamType.format(v)));
        System.out.flush();
        System.exit(0); // a probe thread the invoker gave up on must not keep this JVM alive
    }

    /** The printed form of an observation: {@code status|cause|outcome|summary}. */
    public static String line(Observation o) {
        return String.join("|", o.status().label(), o.cause().orElse(""), String.valueOf(o.facts().getOrDefault("outcome", "")),
                o.summary().replace('\n', ' '));
    }

    /**
     * One printed observation, read back; {@code cause} and {@code outcome} are empty when there were none,
     * fact values are as {@link ParamType#format} writes them (lists comma-separated).
     */
    public record Line(String status, String cause, String outcome, String summary, List<String> evidence,
                       Map<String, String> facts) {
        /** Reads the stdout and stderr of a run. */
        public static Line parse(String stdout, String stderr) {
            String last = stdout.strip().lines().reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalArgumentException("RunProbeMain printed nothing; stderr: " + stderr));
            String[] f = last.split("\\|", 4);
            if (f.length < 4) {
                throw new IllegalArgumentException("not a RunProbeMain line: " + last);
            }
            List<String> evidence = stderr.lines().filter(l -> l.startsWith("evidence: "))
                    .map(l -> l.substring("evidence: ".length())).toList();
            Map<String, String> facts = new LinkedHashMap<>();
            stderr.lines().filter(l -> l.startsWith("fact: ") && l.indexOf('=') > 0)
                    .forEach(l -> facts.put(l.substring(6, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
            return new Line(f[0], f[1], f[2], f[3], evidence, java.util.Collections.unmodifiableMap(facts));
        }
    }

    /**
     * Runs the probe inside one of the lab's namespaces, in a JVM started with this JVM's java and class
     * path and native access on (as the {@code reach} launcher starts it), and waits at most 60 seconds for it.
     *
     * @throws IllegalStateException with everything it printed when it does not print a line and exit 0
     */
    public static Line runIn(Netns lab, String ns, Class<? extends Probe> probe, String... keyValues) {
        return runIn(lab, ns, List.of("--enable-native-access=ALL-UNNAMED"), probe, keyValues);
    }

    /** {@link #runIn(Netns, String, Class, String...)} with these JVM options instead (none: native access off). */
    public static Line runIn(Netns lab, String ns, List<String> jvmOptions, Class<? extends Probe> probe, String... keyValues) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = Stream.of(
                        Stream.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), jvmOptions.stream(),
                        Stream.of("-cp", System.getProperty("java.class.path"), RunProbeMain.class.getName(), probe.getName()),
                        Stream.of(keyValues))
                .flatMap(x -> x).toArray(String[]::new);
        Netns.Result r = lab.exec(Duration.ofSeconds(60), ns, command).orThrow();
        return Line.parse(r.out(), r.err());
    }
}
