package dev.reach.shell.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reach.core.run.Cancellation;
import dev.reach.core.run.ServerProbes;
import dev.reach.spi.Observation;
import dev.reach.spi.ParamType;
import dev.reach.spi.Status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * How to run reach on the server: the user's command prefix ({@code ssh admin@db01}, {@code kubectl exec -i pod --},
 * {@code ip netns exec B}) and the reach command there, each split as a shell splits words. It runs the steps a
 * playbook marks {@code on: server} as {@code reach probe ID k=v ... --json} there ({@link ServerProbes}), and gives
 * the argv of the server's watch for {@code reach HOST:PORT --server-via} ({@link ServerVia}). A value crosses only if
 * it means the same to a remote shell as to a plain exec (ssh hands the server one line), and never a secret.
 */
public record ServerCommand(String via, List<String> prefix, List<String> reach) implements ServerProbes {
    /** Words that mean the same with or without a shell between: no blank, quote, $, `, ;, |, &, <, >, *, ?, (, ), \\. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.,:/@%+=\\[\\]-]*");
    /** How long the server's reach may take beyond the probe's own time: an ssh connection and a JVM. */
    static final Duration OVERHEAD = Duration.ofSeconds(15);

    /** @throws IllegalArgumentException when either does not split, or the prefix is empty */
    public static ServerCommand of(String via, String reach) {
        List<String> prefix = ShellWords.split(via);
        if (prefix.isEmpty()) throw new IllegalArgumentException("--server-via needs a command, like 'ssh admin@db01' or 'ip netns exec B'");
        List<String> r = ShellWords.split(reach);
        if (r.isEmpty()) throw new IllegalArgumentException("--server-reach needs a command, like reach or /opt/reach/bin/reach");
        return new ServerCommand(via, prefix, r);
    }

    /** prefix + reach + words. */
    List<String> argv(List<String> words) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(reach);
        all.addAll(words);
        return List.copyOf(all);
    }

    @Override
    public Observation run(String probe, Map<String, String> params, Duration timeout, Cancellation cancel) {
        List<String> words = new ArrayList<>(List.of("probe", probe));
        for (var e : params.entrySet()) {
            if (!PLAIN.matcher(e.getValue()).matches()) {
                return Observation.error("parameter " + e.getKey() + " = '" + e.getValue() + "' cannot be sent to the server as it is (a remote "
                        + "shell may read blanks, quotes or $ in it): give it a plain value, or run reach on the server yourself").build();
            }
            words.add(e.getKey() + "=" + e.getValue());
        }
        words.addAll(List.of("--json", "--no-history", "--no-color", "--timeout", ParamType.format(timeout)));
        List<String> argv = argv(words);
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("reach-server-", ".json");
            err = Files.createTempFile("reach-server-", ".err");
            p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            long end = System.nanoTime() + timeout.plus(OVERHEAD).toNanos();
            while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
                if (cancel.isCancelled() || System.nanoTime() > end) {
                    stop(p);
                    return Observation.error(cancel.isCancelled() ? "cancelled while the server ran it"
                            : "the server did not answer within " + ParamType.format(timeout.plus(OVERHEAD)) + " (" + String.join(" ", argv) + ")").build();
                }
            }
            return observation(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), p.exitValue(), argv);
        } catch (IOException e) {
            return Observation.error("the server's side could not run: " + e.getMessage() + " (" + String.join(" ", argv) + ")").build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (p != null) stop(p);
            return Observation.error("interrupted while the server ran it").build();
        } finally {
            for (Path f : new Path[]{out, err}) {
                try {
                    if (f != null) Files.deleteIfExists(f);
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** The server's single-probe report (reach.run/1) as the step's observation; an error saying why when there is none. */
    static Observation observation(String stdout, String stderr, int exit, List<String> argv) {
        JsonNode step;
        try {
            JsonNode report = new ObjectMapper().readTree(stdout);
            step = report == null ? null : report.path("steps").path(0);
        } catch (IOException e) {
            step = null;
        }
        if (step == null || step.isMissingNode()) {
            String last = stderr.strip().lines().reduce((a, b) -> b).orElse("");
            return Observation.error("the server gave no report (exit " + exit + ")" + (last.isEmpty() ? "" : ": " + last))
                    .evidence("ran: " + String.join(" ", argv)).build();
        }
        Status status = Status.fromLabel(step.path("status").asText()).orElse(Status.ERROR);
        Observation.Builder o = Observation.of(status, step.path("summary").asText("(no summary)"));
        String cause = step.path("cause").asText("");
        if (!cause.isEmpty() && Observation.CAUSE.matcher(cause).matches()) o.cause(cause);
        step.path("facts").properties().forEach(e -> o.fact(e.getKey(), value(e.getValue())));
        step.path("evidence").forEach(e -> o.evidence(e.asText()));
        o.evidence("on the server: " + String.join(" ", argv));
        if (step.has("duration_ms")) o.duration(Duration.ofNanos((long) (step.path("duration_ms").asDouble() * 1_000_000)));
        return o.build();
    }

    /** A JSON fact back as the value a probe gives: text, number, boolean, list or map. */
    static Object value(JsonNode n) {
        if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            n.forEach(x -> out.add(value(x)));
            return out;
        }
        if (n.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            n.properties().forEach(e -> out.put(e.getKey(), value(e.getValue())));
            return out;
        }
        if (n.isBoolean()) return n.booleanValue();
        if (n.isNumber()) return n.numberValue();
        return n.isNull() ? null : n.asText();
    }

    private static void stop(Process p) {
        p.toHandle().descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
