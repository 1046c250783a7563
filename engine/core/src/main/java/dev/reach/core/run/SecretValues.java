package dev.reach.core.run;

import dev.reach.spi.Failures;
import dev.reach.spi.Param;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a secret the user gives comes from, so it need not be on the command line (where {@code ps} and the
 * shell's history show it): {@code password=@FILE} reads the file's first line, {@code password=@-} a line of
 * standard input, {@code password=@env:NAME} the environment variable. Only for parameters and inputs declared
 * secret, and only for the values the user gave a run (a probe's parameters, a playbook's inputs), never for
 * values a playbook computes: a playbook cannot read a file or the environment this way.
 *
 * <pre>{@code
 * reach probe redis.ping host=127.0.0.1 password=@env:REDIS_PASSWORD
 * reach run db.yaml --set pin=@/run/secrets/pin
 * }</pre>
 */
public final class SecretValues {
    /** Values are taken as written: {@code @...} is no reference (embedders, tests). */
    public static final SecretValues NONE = new SecretValues(null, null, null);

    private final InputStream stdin;
    private final Function<String, String> env;
    private final Path workingDirectory;
    private String stdinLine;

    private SecretValues(InputStream stdin, Function<String, String> env, Path workingDirectory) {
        this.stdin = stdin;
        this.env = env;
        this.workingDirectory = workingDirectory;
    }

    /** References read from this standard input, this environment, and files relative to {@code workingDirectory} (null: the process's). */
    public static SecretValues from(InputStream stdin, Function<String, String> env, Path workingDirectory) {
        return new SecretValues(stdin, env, workingDirectory);
    }

    /**
     * {@code raw} with each secret parameter's {@code @...} reference replaced by what it names.
     *
     * @throws UsageException when a reference cannot be read (the message names the parameter, never a value)
     */
    Map<String, Object> resolve(Collection<Param> params, Map<String, ?> raw) throws UsageException {
        if (this == NONE) return new LinkedHashMap<>(raw);
        Map<String, Object> out = new LinkedHashMap<>(raw);
        List<String> problems = new ArrayList<>();
        for (Param p : params) {
            if (p.isSecret() && raw.get(p.name()) instanceof String s && s.startsWith("@")) {
                try {
                    out.put(p.name(), read(s.substring(1)));
                } catch (IOException | IllegalArgumentException e) {
                    problems.add("'" + p.name() + "=" + s + "': " + (e instanceof IOException io ? Failures.text(io) : e.getMessage())
                            + " (a secret is given as " + p.name() + "=@FILE, =@- for standard input, or =@env:NAME)");
                }
            }
        }
        if (!problems.isEmpty()) throw new UsageException(problems);
        return out;
    }

    private String read(String ref) throws IOException {
        if (ref.equals("-")) {
            if (stdinLine == null) {
                String line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
                if (line == null) throw new IllegalArgumentException("standard input is empty");
                stdinLine = line;
            }
            return stdinLine;
        }
        if (ref.startsWith("env:")) {
            String v = env.apply(ref.substring(4));
            if (v == null) throw new IllegalArgumentException("the environment has no " + ref.substring(4));
            return v;
        }
        if (ref.isEmpty()) throw new IllegalArgumentException("name a file after '@'");
        Path file = workingDirectory == null ? Path.of(ref) : workingDirectory.resolve(ref);
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = r.readLine();
            return line == null ? "" : line;
        }
    }
}
