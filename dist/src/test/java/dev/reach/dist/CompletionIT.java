package dev.reach.dist;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The completion scripts and the manual page, written from the command tree and the probes' specs, run by the shells
 * and by man themselves: what a user gets pressing Tab after {@code reach probe tcp.connect wa}, and from {@code man reach}.
 */
class CompletionIT {
    /** Lines typed, and what completing the last word must offer (a candidate each, among others). */
    private static final Map<String, List<String>> CASES = Map.of(
            "reach pro", List.of("probe", "probes"),
            "reach probe tcp.con", List.of("tcp.connect"),
            "reach probe tcp.connect ", List.of("host=", "port=", "wait="),
            "reach probe tcp.connect wait=", List.of("wait=adaptive", "wait=full"),
            "reach probe dns.query type=AA", List.of("type=AAAA"),
            "reach probe tcp.connect --format ", List.of("json", "nagios", "prometheus", "text"),
            "reach run tls s", List.of("sni="),
            "reach plugins ", List.of("install", "new"),
            "reach completion ", List.of("bash", "fish", "zsh"),
            "reach db01:5432 --pat", List.of("--patient"));

    @Test
    void bashCompletes(@TempDir Path tmp) throws Exception {
        Path script = script("bash", tmp);
        StringBuilder sh = new StringBuilder("source '" + script + "'\n");
        sh.append("t() { COMP_LINE=\"$1\"; COMP_POINT=${#1}; COMPREPLY=(); _reach; printf '%s|' \"${COMPREPLY[@]}\"; echo; }\n");
        CASES.keySet().stream().sorted().forEach(line -> sh.append("t '").append(line).append("'\n"));
        check("bash", run(tmp, "bash", "-c", sh.toString()), true);
    }

    /** zsh's own completion system calls _reach; here _describe and _files are stood in for, to print what they get. */
    @Test
    void zshCompletesNatively(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")) || Files.isExecutable(Path.of("/bin/zsh")),
                "skipped: zsh is not installed (sudo .ci/setup installs it)");
        Path script = script("zsh", tmp);
        assertThat(Files.readString(script)).startsWith("#compdef reach").doesNotContain("bashcompinit");
        StringBuilder sh = new StringBuilder("source '" + script + "'\n");
        sh.append("_describe() { local n; shift 3; for n in \"$@\"; do [[ $n == -* || -z $n ]] && break; print -l -- \"${(@P)n}\"; done; }\n");
        sh.append("_files() { print -- '<files>'; }\n");
        sh.append("t() { words=(${=1}); [[ $1 == *' ' ]] && words+=(''); CURRENT=${#words}; _reach | cut -d: -f1 | tr '\\n' '|'; print; }\n");
        CASES.keySet().stream().sorted().forEach(line -> sh.append("t '").append(line).append("'\n"));
        check("zsh", run(tmp, "zsh", "-f", "-c", sh.toString()), false);
    }

    @Test
    void fishCompletes(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/fish")), "skipped: fish is not installed (sudo .ci/setup installs it)");
        Path script = script("fish", tmp);
        StringBuilder sh = new StringBuilder("source '" + script + "'\n");
        CASES.keySet().stream().sorted().forEach(line -> sh.append("complete -C '").append(line).append("' | cut -f1 | string join '|'\n"));
        check("fish", run(tmp, "fish", "--no-config", "-c", sh.toString()), false);
    }

    @Test
    void manPageRendersWithoutWarningsAndHasEveryProbe(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/man")), "skipped: man (man-db) is not installed");
        var page = Cli.reach("help", "--man");
        assertThat(page.exit()).as(page.toString()).isZero();
        Path file = tmp.resolve("reach.1");
        Files.writeString(file, page.out());
        String[] r = run(tmp, "man", "--warnings", "-l", file.toString());
        assertThat(r[1]).as("groff's warnings").isEmpty();
        assertThat(r[0]).contains("REACH(1)", "NAME", "SYNOPSIS", "COMMANDS", "PROBES", "PLAYBOOKS", "EXIT STATUS", "ENVIRONMENT",
                "reach plugins new", "reach completion");
        var probes = Cli.reach("probes", "--json");
        java.util.regex.Matcher ids = java.util.regex.Pattern.compile("\"id\"\\s*:\\s*\"([a-z0-9.-]+)\"").matcher(probes.out());
        int n = 0;
        while (ids.find()) {
            assertThat(r[0]).as("the page names probe " + ids.group(1)).contains(ids.group(1));
            n++;
        }
        assertThat(n).as("probes listed by 'reach probes --json'").isGreaterThan(20);
    }

    @Test
    void helpTopicsAndCommands() throws Exception {
        var topics = Cli.reach("help");
        assertThat(topics.out()).contains("Topics (reach help TOPIC):", "exit-codes", "environment");
        var exit = Cli.reach("help", "exit-codes");
        assertThat(exit.exit()).isZero();
        assertThat(exit.out()).contains("130", "interrupted by Ctrl-C");
        var sub = Cli.reach("help", "plugins", "new");
        assertThat(sub.out()).contains("Usage: reach plugins new");
        var bad = Cli.reach("help", "nosuch");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("no command or help topic 'nosuch'");
    }

    private static Path script(String shell, Path tmp) throws Exception {
        var r = Cli.reach("completion", shell);
        assertThat(r.exit()).as(r.toString()).isZero();
        Path script = tmp.resolve("reach." + shell);
        Files.writeString(script, r.out());
        return script;
    }

    /** Each case's line of output (candidates separated by |, in the sorted order of the cases) offers what it must. */
    private static void check(String shell, String[] result, boolean exact) {
        List<String> lines = Arrays.stream(result[0].split("\n")).toList();
        List<String> typed = CASES.keySet().stream().sorted().toList();
        assertThat(lines).as("%s printed (stderr: %s)", shell, result[1]).hasSize(typed.size());
        for (int i = 0; i < typed.size(); i++) {
            String line = typed.get(i);
            List<String> offered = Arrays.asList(lines.get(i).split("\\|"));
            // bash breaks words at '=': after 'wait=' it completes the value alone
            List<String> wanted = CASES.get(line).stream()
                    .map(w -> exact && line.substring(line.lastIndexOf(' ') + 1).contains("=") ? w.substring(w.indexOf('=') + 1) : w).toList();
            assertThat(offered).as("%s completing '%s'", shell, line).containsAll(wanted);
        }
    }

    private static String[] run(Path dir, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("MANWIDTH", "100");
        pb.environment().put("HOME", dir.toString());
        Path out = Files.createTempFile("compl-out", ".txt");
        Path err = Files.createTempFile("compl-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", cmd) + " finished").isTrue();
            return new String[] {Files.readString(out), Files.readString(err)};
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
