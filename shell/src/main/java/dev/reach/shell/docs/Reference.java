package dev.reach.shell.docs;

import dev.reach.core.Reach;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/**
 * Everything the man page, {@code reach help} and the completion scripts say, read once from where it is defined:
 * the command tree (picocli's model of every command and option), the probes' specs, the cause catalogue and the
 * installed playbooks' inputs. Nothing here is written by hand twice.
 *
 * @param commands  every command, the root first, then depth first in help's order
 * @param probes    every probe reach loads (built in and installed)
 * @param causes    every cause code a verdict may name
 * @param playbooks the installed playbooks (by name) and their inputs
 */
public record Reference(String version, List<Command> commands, List<Probe> probes, List<String> causes, List<Playbook> playbooks) {

    /**
     * A command.
     *
     * @param path        {@code ""} for reach itself, {@code "plugins install"}
     * @param synopsis    picocli's one-line synopsis, without the program name
     * @param description its description lines
     * @param options     its options (help and version included)
     * @param positionals its positional parameters
     * @param examples    its footer's example lines
     */
    public record Command(String path, String synopsis, List<String> description, List<Option> options,
                          List<Positional> positionals, List<String> examples) {
        public String name() {
            return path.isEmpty() ? "reach" : "reach " + path;
        }
    }

    /**
     * An option.
     *
     * @param names  {@code -j}, {@code --json}
     * @param label  what its value is ({@code DIR}); empty when it takes none
     * @param values the values it takes, when they are a fixed set
     */
    public record Option(List<String> names, String label, String description, List<String> values) {
        public boolean takesValue() {
            return !label.isEmpty();
        }
    }

    /** A positional parameter: its label ({@code ID}), description, and the values it takes when they are a fixed set. */
    public record Positional(String label, String description, List<String> values) {
    }

    /** A probe: its id, summary, paragraph and parameters. */
    public record Probe(String id, String summary, String about, List<Parameter> params) {
    }

    /**
     * A parameter of a probe or an input of a playbook.
     *
     * @param kind   its type as users write it ({@code duration}, {@code host})
     * @param values the values completion offers: the allowed ones, true/false, the default
     */
    public record Parameter(String name, String kind, String description, boolean required, String defaultValue, List<String> values) {
        static Parameter of(Param p) {
            List<String> v = new ArrayList<>(p.allowed());
            if (p.type() == ParamType.BOOLEAN) v.addAll(List.of("true", "false"));
            String d = p.defaultValue().map(ParamType::format).orElse("");
            if (!d.isEmpty() && !v.contains(d) && v.isEmpty()) v.add(d);
            return new Parameter(p.name(), p.type().name().toLowerCase(java.util.Locale.ROOT), p.description(), p.isRequired(), d, v);
        }
    }

    /** An installed playbook, by the name {@code reach run NAME} takes, and its inputs. */
    public record Playbook(String name, List<Parameter> inputs) {
    }

    /** Reads the reference from the command tree {@code root} and the engine. */
    public static Reference of(CommandLine root, Reach reach, Path playbooks) {
        List<Command> commands = new ArrayList<>();
        collect(root, "", commands);
        List<Probe> probes = reach.probes().all().stream().map(p -> p.spec())
                .map(s -> new Probe(s.id(), s.summary(), s.about() == null ? "" : s.about(),
                        s.shownParams().stream().map(Parameter::of).toList()))
                .sorted(java.util.Comparator.comparing(Probe::id)).toList();
        List<Playbook> books = new ArrayList<>();
        if (Files.isDirectory(playbooks)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(playbooks, "*.{yaml,yml,js}")) {
                // by name, as 'reach run NAME' finds one: NAME.yaml, else NAME.yml, else NAME.js
                Map<String, Path> byName = new java.util.TreeMap<>();
                StreamSupport.stream(ds.spliterator(), false).sorted(java.util.Comparator.comparingInt(Reference::extRank))
                        .forEach(f -> byName.putIfAbsent(f.getFileName().toString().replaceFirst("\\.(yaml|yml|js)$", ""), f));
                for (Map.Entry<String, Path> e : byName.entrySet()) {
                    String name = e.getKey();
                    Path f = e.getValue();
                    try {
                        books.add(new Playbook(name, reach.load(f).inputs().values().stream().map(Parameter::of).toList()));
                    } catch (Exception notLoadable) {
                        books.add(new Playbook(name, List.of())); // one that does not load still runs by name, and says why
                    }
                }
            } catch (java.io.IOException e) {
                // no installed playbooks to list
            }
        }
        return new Reference(Reach.version(), commands, probes, reach.causes().codes(), books);
    }

    private static int extRank(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".yaml") ? 0 : n.endsWith(".yml") ? 1 : 2;
    }

    /** The command at {@code path}, if there is one. */
    public java.util.Optional<Command> command(String path) {
        return commands.stream().filter(c -> c.path().equals(path)).findFirst();
    }

    private static void collect(CommandLine cl, String path, List<Command> out) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.usageMessage().hidden()) return;
        String synopsis = cl.getHelp().synopsis(0).strip();
        String prefix = spec.qualifiedName(" ");
        if (synopsis.startsWith("Usage: ")) synopsis = synopsis.substring("Usage: ".length());
        if (synopsis.startsWith(prefix)) synopsis = synopsis.substring(prefix.length()).strip();
        synopsis = synopsis.replaceAll("\\s+", " ");
        List<Option> options = spec.options().stream().filter(o -> !o.hidden()).map(Reference::option).toList();
        List<Positional> positionals = spec.positionalParameters().stream().filter(p -> !p.hidden())
                .map(p -> new Positional(p.paramLabel(), String.join(" ", p.description()), candidates(p))).toList();
        List<String> examples = Arrays.stream(spec.usageMessage().footer()).map(String::strip).filter(s -> s.startsWith("reach ")).toList();
        out.add(new Command(path, synopsis, List.of(spec.usageMessage().description()), options, positionals, examples));
        Map<String, CommandLine> subs = new LinkedHashMap<>(cl.getSubcommands());
        subs.forEach((name, sub) -> {
            if (!sub.getCommandSpec().name().equals(name)) return; // an alias
            collect(sub, path.isEmpty() ? name : path + " " + name, out);
        });
    }

    private static Option option(OptionSpec o) {
        boolean value = o.arity().max() > 0 && !o.type().equals(boolean.class) && !o.type().equals(Boolean.class);
        String label = value ? o.paramLabel() : "";
        return new Option(List.of(o.names()), label, String.join(" ", o.description()).replace("${DEFAULT-VALUE}",
                String.valueOf(o.defaultValue())), value ? candidates(o) : List.of());
    }

    private static List<String> candidates(ArgSpec a) {
        List<String> out = new ArrayList<>();
        if (a.completionCandidates() != null) {
            // an enum's constants, as users type them (parsing ignores case)
            a.completionCandidates().forEach(c -> out.add(a.type().isEnum() ? c.toLowerCase(java.util.Locale.ROOT) : c));
        }
        return out;
    }
}
