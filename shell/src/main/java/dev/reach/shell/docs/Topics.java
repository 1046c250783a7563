package dev.reach.shell.docs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The help topics that are not one command's: {@code reach help TOPIC} prints one, and the man page has each as a
 * section. Plain text, one paragraph or table row a line, so that both can lay it out.
 */
public final class Topics {
    /** A topic: its name ({@code exit-codes}), its man page section title, and its lines. */
    public record Topic(String name, String section, String summary, List<String> lines) {
    }

    private static final Map<String, Topic> TOPICS = new LinkedHashMap<>();

    static {
        add(new Topic("targets", "TARGETS", "what reach HOST:PORT takes, and what ok means", List.of(
                "reach HOST:PORT, reach https://host/path, reach udp://HOST:PORT (or HOST:PORT/udp): why can't this machine reach it?",
                "ok means that a client like your application would get its request through, now: it connects to the address the system "
                        + "resolver gives, the service answers a request in its own protocol, a full-size segment passes, and the path "
                        + "neither loses nor delays too much. A check that could not run or decide never adds up to ok.",
                "--set protocol=ssh (http, tls, redis, ...) says what the service speaks where the port does not; --set protocol=none "
                        + "stops at the handshake. --timeout is the upper bound of every wait; --patient waits it out for certainty.")));
        add(new Topic("exit-codes", "EXIT STATUS", "what each exit code means", List.of(
                "0\thealthy: the verdict is ok and no step broke (a failed check counts through the verdict, which weighs it: an ICMP echo a firewall drops, where the service answers, is not the cause)",
                "1\ta fault was found, or a check could not conclude (verdict inconclusive)",
                "2\tusage or playbook error: nothing ran",
                "3\tinternal error (one line; --verbose prints the stack trace), or reach cannot run here",
                "130\tinterrupted by Ctrl-C",
                "With --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, as the Monitoring Plugins expect.")));
        add(new Topic("output", "OUTPUT", "text, JSON, JUnit, Nagios and Prometheus output", List.of(
                "Text: one line per step (mark, id, probe, summary, time), evidence under failures, then the verdict: cause and "
                        + "confidence, a paragraph, the evidence, the fix.",
                "--json (or --format json): schema reach.run/1. --junit FILE: one testcase per step and one for the verdict. "
                        + "--format nagios: one line and the Monitoring Plugins' exit codes. --format prometheus: the Prometheus text format.",
                "Colours are off when NO_COLOR is set or the output is not a terminal; text is as wide as the terminal (80 columns "
                        + "when piped; COLUMNS overrides both).")));
        add(new Topic("environment", "ENVIRONMENT", "the variables reach reads", List.of(
                "NO_COLOR\tno colours, whatever the terminal",
                "COLUMNS\tthe width of text output",
                "REACH_PLUGINS\textra plugin folders, colon-separated",
                "REACH_RESIDENT\t0: never hand the command to a resident reach; explain: say why one declined",
                "REACH_AOT\t0: no start-up cache",
                "REACH_JAVA_OPTS\textra options for the JVM",
                "XDG_DATA_HOME\twhere 'reach plugins install' puts plugins (default ~/.local/share: ~/.local/share/reach/plugins)",
                "XDG_RUNTIME_DIR\twhere a resident reach keeps its socket (else /tmp/reach-UID)")));
        add(new Topic("files", "FILES", "where reach finds plugins and playbooks", List.of(
                "HOME/plugins\tthe built-in plugins (HOME: where reach is installed, /opt/reach for the package)",
                "~/.local/share/reach/plugins\tplugins installed with 'reach plugins install'",
                "HOME/playbooks\tthe installed playbooks, run by name: reach run tls",
                "HOME/sdk\tthe plugin SDK: a Maven repository of reach-spi and the test kit, and the template 'reach plugins new' copies")));
    }

    private Topics() {
    }

    private static void add(Topic t) {
        TOPICS.put(t.name(), t);
    }

    /** Every topic, in order. */
    public static List<Topic> all() {
        return List.copyOf(TOPICS.values());
    }

    /** The topic of that name, or null. */
    public static Topic find(String name) {
        return TOPICS.get(name);
    }
}
