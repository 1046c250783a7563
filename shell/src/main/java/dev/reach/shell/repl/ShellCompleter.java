package dev.reach.shell.repl;

import dev.reach.core.Reach;
import dev.reach.shell.command.EngineSetup;
import dev.reach.shell.command.HostPort;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.AutoComplete;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tab completion from the specs: commands and probe ids first; after a probe, its parameter names
 * ({@code port=}) and then their values (allowed values, hosts of this session); after {@code run}, playbook
 * files and then the playbook's inputs. Options ({@code --json}) come from the picocli definitions through
 * {@link AutoComplete#complete}, which alone misses positional candidates (STACK.md).
 */
final class ShellCompleter implements Completer {
    private final Shell shell;

    ShellCompleter(Shell shell) {
        this.shell = shell;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        candidates.addAll(candidates(line.words(), line.wordIndex(), line.word().substring(0, line.wordCursor())));
    }

    /** Candidates for the word at {@code index} of {@code words}, of which {@code typed} is typed so far. */
    List<Candidate> candidates(List<String> words, int index, String typed) {
        List<Candidate> out = new ArrayList<>();
        Reach reach = shell.session().reach();
        if (index == 0) {
            shell.spec().subcommands().forEach((name, cmd) -> {
                String[] d = cmd.getCommandSpec().usageMessage().description();
                out.add(candidate(name, "commands", d.length == 0 ? null : d[0], true));
            });
            reach.probes().all().forEach(p -> out.add(candidate(p.spec().id(), "probes", p.spec().summary(), true)));
            return out;
        }
        if (typed.startsWith("-")) {
            return options(shell.words(String.join(" ", words), words), words, index, typed);
        }
        String command = words.getFirst();
        boolean probeShorthand = !shell.commands().contains(command);
        if (command.equals("probe") && index == 1) {
            reach.probes().all().forEach(p -> out.add(candidate(p.spec().id(), "probes", p.spec().summary(), true)));
            return out;
        }
        if (probeShorthand || command.equals("probe")) {
            String id = probeShorthand ? command : words.get(1);
            reach.probes().find(id).ifPresent(p -> out.addAll(params(p.spec().shownParams(), words, typed)));
            return out;
        }
        switch (command) {
            case "help" -> {
                if (index == 1) {
                    shell.commands().forEach(c -> out.add(candidate(c, "commands", null, true)));
                    reach.probes().ids().forEach(id -> out.add(candidate(id, "probes", null, true)));
                }
            }
            case "run" -> {
                if (index == 1) {
                    out.addAll(files(typed));
                } else {
                    out.addAll(inputs(reach, Path.of(words.get(1)), words, typed));
                }
            }
            case "save" -> {
                if (index == 1) out.addAll(files(typed));
            }
            case "target", "diagnose" -> {
                if (index == 1) hosts().forEach(h -> out.add(candidate(h, "hosts", null, !h.contains(":") || h.startsWith("["))));
            }
            default -> { }
        }
        return out;
    }

    /** {@code name=} for parameters not given yet; after {@code name=}, that parameter's values. */
    private List<Candidate> params(List<Param> params, List<String> words, String typed) {
        List<Candidate> out = new ArrayList<>();
        int eq = typed.indexOf('=');
        if (eq > 0) {
            String name = typed.substring(0, eq);
            params.stream().filter(p -> p.name().equals(name)).findFirst().ifPresent(p -> {
                values(p).forEach(v -> out.add(candidate(name + "=" + v, p.name(), null, true)));
                if (p.type() == ParamType.FILE) {   // a file parameter: the files under what is typed after '='
                    listing(typed.substring(eq + 1), f -> true, "files")
                            .forEach(c -> out.add(candidate(name + "=" + c.value(), "files", null, c.complete())));
                }
            });
            return out;
        }
        Set<String> given = new LinkedHashSet<>();
        for (String w : words) {
            if (w.indexOf('=') > 0 && !w.equals(typed)) given.add(w.substring(0, w.indexOf('=')));
        }
        for (Param p : params) {
            if (!given.contains(p.name())) {
                String d = p.description() + p.defaultValue().map(v -> " (default " + ParamType.format(v) + ")").orElse("");
                out.add(candidate(p.name() + "=", p.isRequired() ? "required" : "with defaults", d, false));
            }
        }
        return out;
    }

    /** What a parameter can be: its allowed values, true/false, the hosts of this session, the target's port, its default. */
    private List<String> values(Param p) {
        List<String> v = new ArrayList<>(p.allowed());
        if (p.type() == ParamType.BOOLEAN) v.addAll(List.of("true", "false"));
        if (p.type() == ParamType.HOST) v.addAll(hosts());
        if (p.type() == ParamType.PORT) shell.session().target().map(HostPort::port).ifPresent(v::add);
        p.defaultValue().map(ParamType::format).filter(d -> !v.contains(d)).ifPresent(v::add);
        return v;
    }

    private List<String> hosts() {
        List<String> h = new ArrayList<>(shell.session().hosts());
        shell.session().target().filter(t -> t.port() != null).ifPresent(t -> h.add(t.toString()));
        return h;
    }

    /** After {@code run FILE}: the playbook's inputs as {@code name=}, and their values. */
    private List<Candidate> inputs(Reach reach, Path file, List<String> words, String typed) {
        try {
            Map<String, Param> inputs = reach.load(file).inputs();
            return params(List.copyOf(inputs.values()), words, typed);
        } catch (Exception e) {
            return List.of(); // not a loadable playbook: nothing to offer
        }
    }

    /** Playbooks (*.yaml, *.yml, *.js) and folders under what is typed, and the distribution's playbooks. */
    static List<Candidate> files(String typed) {
        List<Candidate> out = listing(typed, name -> name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".js"), "playbooks");
        int slash = typed.lastIndexOf('/');
        Path dir = slash < 0 ? Path.of(".") : Path.of(typed.substring(0, slash + 1).isEmpty() ? "/" : typed.substring(0, slash + 1));
        Path shipped = EngineSetup.playbooksDir().toAbsolutePath().normalize();
        if (!shipped.equals(dir.toAbsolutePath().normalize()) && Files.isDirectory(shipped)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(shipped, "*.{yaml,yml,js}")) {
                ds.forEach(p -> out.add(candidate(p.toString(), "shipped playbooks", null, true)));
            } catch (IOException e) {
                // as above
            }
        }
        return out;
    }

    /** The folders, and the files whose names {@code wanted} takes, in the folder of what is typed (dot files when typed). */
    private static List<Candidate> listing(String typed, java.util.function.Predicate<String> wanted, String group) {
        List<Candidate> out = new ArrayList<>();
        int slash = typed.lastIndexOf('/');
        Path dir = slash < 0 ? Path.of(".") : Path.of(typed.substring(0, slash + 1).isEmpty() ? "/" : typed.substring(0, slash + 1));
        String prefix = slash < 0 ? "" : typed.substring(0, slash + 1);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && !typed.substring(slash + 1).startsWith(".")) continue;
                if (Files.isDirectory(p)) {
                    out.add(candidate(prefix + name + "/", "files", null, false));
                } else if (wanted.test(name)) {
                    out.add(candidate(prefix + name, group, null, true));
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable or missing folder offers nothing
        }
        return out;
    }

    /** Options of the command, from its picocli definition. */
    private List<Candidate> options(List<String> words, List<String> original, int index, String typed) {
        int shift = words.size() - original.size(); // a probe shorthand gained "probe" in front
        List<CharSequence> suffixes = new ArrayList<>();
        AutoComplete.complete(spec(), words.toArray(String[]::new), index + shift, typed.length(), 0, suffixes);
        return suffixes.stream().map(s -> candidate(typed + s, "options", null, true)).toList();
    }

    private CommandSpec spec() {
        return shell.spec();
    }

    private static Candidate candidate(String value, String group, String description, boolean complete) {
        return new Candidate(value, value, group, description, null, null, complete);
    }
}
