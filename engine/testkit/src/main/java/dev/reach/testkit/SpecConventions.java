package dev.reach.testkit;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.core.verdict.CauseCatalog;
import dev.reach.spi.Fact;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeSpec;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conventions every probe's spec follows, checked for all the probes a plugin declares — found the way PF4J
 * finds them, in the plugin's {@code META-INF/extensions.idx}, so adding a probe adds nothing to a list in a test.
 * One test in each plugin:
 *
 * <pre>{@code
 * class MySpecsTest {
 *     @Test
 *     void everyProbeFollowsTheConventions() {
 *         SpecConventions.check();
 *     }
 * }
 * }</pre>
 *
 * <p>What it checks, for each probe: {@code spec()} gives the same instance every time; the class is named after
 * the id ({@code tcp.connect} → {@code TcpConnectProbe}); the summary starts with a capital and the spec names its
 * facts, each with a description; there is an example, and each example is {@code reach probe ID k=v...} with
 * parameters that bind; it declares the causes it may return ({@code .causes(...)}), each one in the catalogue
 * (the engine's, or the plugin's own {@code reach-causes.tsv}), and every cause its {@code about} paragraph names in
 * backquotes among them. {@link ProbeHarness} then fails a run that returns a cause the spec does not declare.
 */
public final class SpecConventions {
    private static final String INDEX = "META-INF/extensions.idx";
    private static final Pattern QUOTED = Pattern.compile("`([a-z][a-z0-9-]*(?:\\.[a-z][a-z0-9-]*)+)`");

    private SpecConventions() {
    }

    /** Checks every probe the plugin under test declares; fails with every broken convention listed. */
    public static void check() {
        check(declaredProbes());
    }

    /** Checks these probes; fails with every broken convention listed. */
    public static void check(List<Probe> probes) {
        if (probes.isEmpty()) {
            throw new AssertionError("no probe declared: " + INDEX + " is missing or names no Probe "
                    + "(is pf4j in the compiler's annotationProcessorPaths, and the class annotated @Extension?)");
        }
        List<String> broken = new ArrayList<>();
        CauseCatalog causes = catalogue();
        probes.forEach(p -> broken.addAll(problems(p, causes)));
        if (!broken.isEmpty()) {
            throw new AssertionError(broken.size() + " broken convention(s):\n  " + String.join("\n  ", broken));
        }
    }

    /** What is wrong with one probe's spec, its causes checked against the catalogue with this plugin's own; empty when nothing. */
    public static List<String> problems(Probe probe) {
        return problems(probe, catalogue());
    }

    /** What is wrong with one probe's spec, its causes checked against {@code causes}; empty when nothing. */
    public static List<String> problems(Probe probe, CauseCatalog causes) {
        List<String> out = new ArrayList<>();
        ProbeSpec spec = probe.spec();
        String id = spec.id();
        if (probe.spec() != spec) {
            out.add(id + ": spec() must return the same instance every time (a static final SPEC)");
        }
        String expected = Arrays.stream(id.split("[.-]")).map(w -> w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1))
                .reduce("", String::concat) + "Probe";
        if (!probe.getClass().getSimpleName().equals(expected)) {
            out.add(id + ": the class is " + probe.getClass().getSimpleName() + "; name it " + expected);
        }
        if (spec.summary().isBlank() || !Character.isUpperCase(spec.summary().charAt(0))) {
            out.add(id + ": the summary should be a line starting with a capital: '" + spec.summary() + "'");
        }
        if (spec.facts().isEmpty()) {
            out.add(id + ": the spec names no fact; declare what the observation carries (.fact(name, type, description))");
        }
        for (Fact f : spec.facts()) {
            if (f.description().isBlank()) out.add(id + ": fact '" + f.name() + "' has no description");
        }
        if (spec.examples().isEmpty()) {
            out.add(id + ": the spec has no example (.example(\"reach probe " + id + " k=v\"))");
        }
        for (String example : spec.examples()) {
            String[] words = example.replace("'", "").split(" (?=[a-z_]+=)");
            if (!words[0].equals("reach probe " + id)) {
                out.add(id + ": example '" + example + "' should start with 'reach probe " + id + "' and give k=v parameters");
                continue;
            }
            var binding = ParamBinder.bind(spec, ProbeHarness.parse(Arrays.copyOfRange(words, 1, words.length)));
            if (!binding.ok()) {
                out.add(id + ": example '" + example + "' does not bind: " + binding.errors());
            }
        }
        if (spec.causes().isEmpty()) {
            out.add(id + ": the spec declares no cause; name the codes its observations may carry (.causes(\"tcp.refused\", ...))");
        }
        for (String code : spec.causes()) {
            if (!causes.contains(code)) {
                out.add(id + ": declares cause '" + code + "', which is in no catalogue (the engine's causes, or this plugin's "
                        + CauseCatalog.PLUGIN_RESOURCE + ")");
            }
        }
        Matcher named = QUOTED.matcher(spec.about());
        while (named.find()) {
            String code = named.group(1);
            if (causes.contains(code) && !spec.causes().contains(code)) {
                out.add(id + ": its about paragraph names `" + code + "` but .causes(...) does not declare it");
            }
        }
        return out;
    }

    /** The engine's cause catalogue with the causes of every {@code reach-causes.tsv} on the class path (the plugin's own). */
    public static CauseCatalog catalogue() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        CauseCatalog causes = CauseCatalog.load();
        try {
            for (URL table : Collections.list(loader.getResources(CauseCatalog.PLUGIN_RESOURCE))) {
                List<String> said = new ArrayList<>();
                causes = causes.with(CauseCatalog.parsePlugin("plugin under test", lines(table), said), (c, why) -> said.add(why));
                if (!said.isEmpty()) {
                    throw new AssertionError(table + ": " + String.join("; ", said));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + CauseCatalog.PLUGIN_RESOURCE + ": " + e, e);
        }
        return causes;
    }

    /** The probes listed in every {@code META-INF/extensions.idx} on the class path, each made with its no-argument constructor. */
    public static List<Probe> declaredProbes() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        List<Probe> probes = new ArrayList<>();
        try {
            for (URL index : Collections.list(loader.getResources(INDEX))) {
                for (String name : lines(index).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
                    Class<?> type = Class.forName(name, false, loader);
                    if (Probe.class.isAssignableFrom(type)) {
                        probes.add((Probe) type.getDeclaredConstructor().newInstance());
                    }
                }
            }
        } catch (IOException | ReflectiveOperationException e) {
            throw new AssertionError("cannot read the probes of " + INDEX + ": " + (e instanceof InvocationTargetException i ? i.getCause() : e), e);
        }
        return probes;
    }

    /** A resource's lines as they are (the cause table's parser numbers them). */
    private static List<String> lines(URL resource) throws IOException {
        try (InputStream in = resource.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
