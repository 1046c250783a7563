package dev.reach.core.plugin;

import dev.reach.core.run.AbandonedThreads;

import dev.reach.core.verdict.CauseCatalog;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PluginLoaderTest {
    static final String ENGINE = "0.1.0";

    @TempDir
    Path dir;

    @RegisterExtension
    final Loaders loaders = new Loaders();

    private PluginLoader.Result load(UnaryOperator<PluginLoader.Builder> setup) {
        return loaders.load(setup);
    }

    private PluginLoader.Result load(Path... dirs) {
        return load(b -> {
            for (Path d : dirs) {
                b.directory(d);
            }
            return b;
        });
    }

    private static String run(PluginLoader.Result r, String probeId) throws Exception {
        Probe probe = r.registry().find(probeId).orElseThrow(() -> new AssertionError(probeId + " not loaded: " + r.problems()));
        return probe.run(null, new Params(Map.of())).summary();
    }

    /** The plugin that loads beside each broken one, to show the broken one did not stop the rest. */
    private void goodPluginBeside() {
        TestPlugin.withProbe("good", "echo.say", "said hello").jar(dir);
    }

    private static void assertGoodLoaded(PluginLoader.Result r) throws Exception {
        assertThat(r.plugins()).extracting(LoadedPlugin::id).contains("good");
        assertThat(run(r, "echo.say")).isEqualTo("said hello");
    }

    @Test
    void aModulesTargetFolderLoadsItsJarAndPassesOverTheOtherFolders() throws Exception {
        TestPlugin.withProbe("good", "echo.say", "said hello").jar(dir);
        java.nio.file.Files.createDirectories(dir.resolve("classes/dev/reach"));
        java.nio.file.Files.createDirectories(dir.resolve("surefire-reports"));
        java.nio.file.Files.copy(dir.resolve(dir.toFile().list((d, n) -> n.endsWith(".jar"))[0]), dir.resolve("original-good.jar"));

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).isEmpty();
        assertThat(r.registry().ids()).containsExactly("echo.say");
    }

    @Test
    void goodPluginLoadsAndItsProbeRuns() throws Exception {
        Path jar = TestPlugin.withProbe("good", "echo.say", "said hello").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).isEmpty();
        assertThat(r.registry().ids()).containsExactly("echo.say");
        assertThat(r.registry().pluginOf("echo.say")).contains("good");
        assertThat(r.plugins()).containsExactly(
                new LoadedPlugin("good", "1.0.0", "tests", "test plugin good", jar, List.of("echo.say")));
        assertThat(run(r, "echo.say")).isEqualTo("said hello");
    }

    @Test
    void aPluginsCauseTableAddsItsCodesAndABadLineIsAProblem() throws Exception {
        TestPlugin.withProbe("acme", "acme.hello", "hi")
                .resource(CauseCatalog.PLUGIN_RESOURCE, """
                        # acme's own codes
                        acme.grumpy	B	the server says go away	the acme server refuses greetings: restart it
                        Not A Code	B	x	y
                        acme.short	B
                        """).jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.causes()).extracting(CauseCatalog.Cause::code).containsExactly("acme.grumpy");
        assertThat(r.causes().getFirst().section()).isEqualTo("plugin acme");
        assertThat(r.causes().getFirst().says()).isEqualTo("the acme server refuses greetings: restart it");
        assertThat(r.plugins().getFirst().causeCodes()).containsExactly("acme.grumpy");
        assertThat(r.problems()).extracting(PluginProblem::message).containsExactly(
                "plugin 'acme': reach-causes.tsv:3: cause 'Not A Code' is not dotted lower-case like redis.auth-required",
                "plugin 'acme': reach-causes.tsv:4: expected 4 or 5 tab-separated columns (code, side, evidence, says[, fix]), got 2");
    }

    @Test
    void aPluginWithoutACauseTableAddsNone() throws Exception {
        TestPlugin.withProbe("good", "echo.say", "said hello").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.causes()).isEmpty();
        assertThat(r.plugins().getFirst().causeCodes()).isEmpty();
    }

    @Test
    void brokenJarIsReportedAndOthersLoad() throws Exception {
        goodPluginBeside();
        Path broken = Files.writeString(dir.resolve("broken.jar"), "this is not a zip");

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(broken.toString());
            assertThat(p.message()).startsWith("'" + broken + "' is not a readable jar: ZipException");
        });
        assertGoodLoaded(r);
    }

    @Test
    void jarWithoutDescriptorIsReportedAndOthersLoad() throws Exception {
        goodPluginBeside();
        Path bare = TestPlugin.withProbe("bare", "bare.probe", "x").withoutDescriptor().jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).isEqualTo("'" + bare
                + "' has no plugin descriptor: add plugin.properties (plugin.id, plugin.version) or Plugin-Id and Plugin-Version to META-INF/MANIFEST.MF");
        assertGoodLoaded(r);
    }

    @Test
    void descriptorWithoutVersionIsReported() {
        Path jar = TestPlugin.withProbe("nover", "nover.probe", "x").property("plugin.version", "").jar(dir);

        assertThat(load(dir).problems()).singleElement().extracting(PluginProblem::message)
                .isEqualTo("'" + jar + "' has an invalid plugin descriptor: field 'version' cannot be empty (plugin.properties:"
                        + " plugin.version; or META-INF/MANIFEST.MF: Plugin-Version; both spelt exactly so)");
    }

    @Test
    void indexNamingAMissingClassIsReportedAndTheRestOfThePluginLoads() throws Exception {
        goodPluginBeside();
        TestPlugin.withProbe("ghost", "ghost.real", "real").indexed("ghost.MissingProbe").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo("ghost");
            assertThat(p.message()).isEqualTo("plugin 'ghost' lists 'ghost.MissingProbe' in META-INF/extensions.idx,"
                    + " but has no such class; rebuild the plugin");
        });
        assertThat(run(r, "ghost.real")).isEqualTo("real");
        assertGoodLoaded(r);
    }

    @Test
    void probeWhoseConstructorThrowsIsReportedAndOthersLoad() throws Exception {
        goodPluginBeside();
        TestPlugin.named("boom").source("boom.BoomProbe", TestPlugin.probeSource("boom.BoomProbe", "boom.go", "\"x\"",
                "public BoomProbe() { throw new IllegalStateException(\"cannot start\"); }")).indexed("boom.BoomProbe").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.message()).isEqualTo("probe class 'boom.BoomProbe' in plugin 'boom' failed in its constructor:"
                    + " IllegalStateException: cannot start");
            assertThat(p.detail()).contains("java.lang.IllegalStateException: cannot start").contains("at boom.BoomProbe.<init>");
        });
        assertThat(r.plugins()).extracting(LoadedPlugin::id, LoadedPlugin::probeIds)
                .contains(org.assertj.core.groups.Tuple.tuple("boom", List.of()));
        assertGoodLoaded(r);
    }

    /**
     * A probe stuck in its constructor (asleep, deaf to interrupts) and one whose spec() loops cost the load their deadline
     * each, not every command: both are left out as plugin problems, their threads counted (daemons, so they hold no
     * process), and the good plugin loads. The stuck threads end by themselves within a minute, or with the test JVM.
     */
    @Test
    void probesThatHangInTheirConstructorOrSpecAreLeftOutAfterTheDeadline() throws Exception {
        goodPluginBeside();
        String deaf = """
                long end = System.nanoTime() + %d_000_000_000L;
                while (System.nanoTime() < end) { try { Thread.sleep(20); } catch (InterruptedException ignored) { } }
                """;
        TestPlugin.named("stuck").source("stuck.StuckProbe", TestPlugin.probeSource("stuck.StuckProbe", "stuck.go", "\"x\"",
                "public StuckProbe() { " + deaf.formatted(60) + " }")).indexed("stuck.StuckProbe").jar(dir);
        TestPlugin.named("loopy").source("loopy.LoopProbe", """
                package loopy;
                import dev.reach.spi.*;
                public final class LoopProbe implements Probe {
                    public ProbeSpec spec() { %s return ProbeSpec.builder("loopy.go", "Loops").build(); }
                    public Observation run(ProbeContext ctx, Params params) { return Observation.ok("x").build(); }
                }
                """.formatted(deaf.formatted(30))).indexed("loopy.LoopProbe").jar(dir);

        long t0 = System.nanoTime();
        PluginLoader.Result r = load(dir);
        long took = (System.nanoTime() - t0) / 1_000_000;

        assertThat(took).as("ms to load").isBetween(2 * PluginCalls.LIMIT.toMillis(), 2 * PluginCalls.LIMIT.toMillis() + 3000);
        assertThat(r.problems()).extracting(PluginProblem::message).containsExactlyInAnyOrder(
                "plugin 'stuck': its probe class stuck.StuckProbe did not finish constructing within 2s; left out",
                "plugin 'loopy': its probe class loopy.LoopProbe did not return from spec() within 2s; left out");
        assertThat(r.registry().ids()).containsExactly("echo.say");
        assertGoodLoaded(r);
        assertThat(loaders.last().abandoned().list()).extracting(e -> e.name()).containsExactlyInAnyOrder(
                "plugin 'stuck', probe class stuck.StuckProbe", "plugin 'loopy', probe class loopy.LoopProbe");
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("plugin-load-") && t.isAlive())
                .isNotEmpty().allMatch(Thread::isDaemon);
    }

    /**
     * A probe that calls System.exit would end reach (and the resident reach) with it; Java 25 has no security manager to
     * stop it, so its class is refused when the plugin's class loader reads it, and the whole plugin is left out. A class
     * the plugin loads only later (a helper called from run()) is refused then: the call fails, the process goes on.
     */
    @Test
    void aPluginThatCallsSystemExitIsRefusedAndTheEngineKeepsRunning() throws Exception {
        goodPluginBeside();
        TestPlugin.named("quitter")
                .source("quitter.QuitProbe", TestPlugin.probeSource("quitter.QuitProbe", "quitter.go", "\"x\"", """
                        public Observation run(ProbeContext ctx, Params params, int code) { System.exit(code); return null; }
                        """)).indexed("quitter.QuitProbe")
                .probe("quitter.FineProbe", "quitter.fine", "\"fine\"").jar(dir);
        TestPlugin.named("sneaky")
                .source("sneaky.Helper", "package sneaky; final class Helper { static String quit() { Runtime.getRuntime().halt(3); return null; } }")
                .probe("sneaky.SneakyProbe", "sneaky.go", "Helper.quit()").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo("quitter");
            assertThat(p.message()).isEqualTo("plugin 'quitter': class quitter.QuitProbe calls System.exit in run(); a probe"
                    + " must return its result, not end the process; left out");
        });
        assertThat(r.plugins()).extracting(LoadedPlugin::id).containsExactlyInAnyOrder("good", "sneaky");
        assertThat(r.registry().ids()).containsExactly("echo.say", "sneaky.go");
        assertThatThrownBy(() -> run(r, "sneaky.go")).isInstanceOf(LinkageError.class)
                .hasMessage("class sneaky.Helper calls Runtime.halt in quit()");
        assertGoodLoaded(r);
    }

    @Test
    void probeWithAnInvalidSpecInItsStaticInitialiserIsReported() throws Exception {
        goodPluginBeside();
        TestPlugin.named("badspec").probe("badspec.BadProbe", "Not An Id", "\"x\"").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).isEqualTo(
                "probe class 'badspec.BadProbe' in plugin 'badspec' failed to initialise: IllegalArgumentException:"
                        + " probe id 'Not An Id' must be dotted lower-case like tcp.connect");
        assertGoodLoaded(r);
    }

    @Test
    void extensionThatIsNotAProbeIsReportedAndOthersLoad() throws Exception {
        goodPluginBeside();
        TestPlugin.named("odd").source("odd.Thing", "package odd; public class Thing {}").indexed("odd.Thing").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).isEqualTo(
                "probe class 'odd.Thing' in plugin 'odd' is listed in META-INF/extensions.idx but does not implement dev.reach.spi.Probe");
        assertGoodLoaded(r);
    }

    @Test
    void pluginBundlingItsOwnSpiIsToldToDeclareItProvided() throws Exception {
        goodPluginBeside();
        TestPlugin.withProbe("fat", "fat.probe", "x").bundlingSpi().jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo("fat");
            assertThat(p.message()).isEqualTo("plugin 'fat' bundles its own copy of reach-spi; declare it <scope>provided</scope>");
        });
        assertThat(r.plugins()).extracting(LoadedPlugin::id).containsExactly("good");
        assertGoodLoaded(r);
    }

    @Test
    void specThatThrowsOrReturnsNullIsReportedAndOthersLoad() throws Exception {
        goodPluginBeside();
        String members = """
                public ProbeSpec spec() { %s }
                public Observation run(ProbeContext ctx, Params params) { return Observation.ok("x").build(); }
                """;
        TestPlugin.named("nospec")
                .source("nospec.ThrowsProbe", "package nospec; import dev.reach.spi.*; public class ThrowsProbe implements Probe {"
                        + members.formatted("throw new UnsupportedOperationException(\"later\");") + "}")
                .source("nospec.NullProbe", "package nospec; import dev.reach.spi.*; public class NullProbe implements Probe {"
                        + members.formatted("return null;") + "}")
                .indexed("nospec.ThrowsProbe").indexed("nospec.NullProbe").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).extracting(PluginProblem::message).containsExactlyInAnyOrder(
                "probe class 'nospec.ThrowsProbe' in plugin 'nospec' failed in spec(): UnsupportedOperationException: later",
                "probe class 'nospec.NullProbe' in plugin 'nospec' returned null from spec()");
        assertGoodLoaded(r);
    }

    @Test
    void pluginRequiringANewerEngineIsRefusedNamingBothVersions() throws Exception {
        goodPluginBeside();
        TestPlugin.withProbe("future", "future.probe", "x").requires(">=9.0.0").jar(dir);
        TestPlugin.withProbe("exact", "exact.probe", "x").requires("9.1.0").jar(dir);
        TestPlugin.withProbe("fits", "fits.probe", "fits").requires(">=0.1.0 & <1.0.0").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).extracting(PluginProblem::message).containsExactly(
                "plugin 'exact' requires reach >=9.1.0; this is 0.1.0",
                "plugin 'future' requires reach >=9.0.0; this is 0.1.0");
        assertThat(run(r, "fits.probe")).isEqualTo("fits");
        assertGoodLoaded(r);
    }

    @Test
    void duplicateProbeIdAcrossPluginsRegistersNeitherAndNamesBoth() throws Exception {
        Path net = TestPlugin.withProbe("net", "tcp.connect", "from net").jar(dir);
        Path other = TestPlugin.withProbe("other", "tcp.connect", "from other")
                .probe("other.ExtraProbe", "other.extra", "\"extra\"").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).isEqualTo(
                "probe id 'tcp.connect' is provided by both 'net' (" + net + ") and 'other' (" + other + "); remove one");
        assertThat(r.registry().ids()).containsExactly("other.extra");
        assertThat(r.plugins()).extracting(LoadedPlugin::id, LoadedPlugin::probeIds).containsExactly(
                org.assertj.core.groups.Tuple.tuple("net", List.of()),
                org.assertj.core.groups.Tuple.tuple("other", List.of("other.extra")));
    }

    /** A plugin reusing a built-in id (here tcp.connect of the shipped 'net') is refused; the built-in one keeps working. */
    @Test
    void aThirdPartyPluginCannotTakeTheIdOfABuiltInProbe() throws Exception {
        Path shipped = Files.createDirectories(dir.resolve("shipped"));
        Path user = Files.createDirectories(dir.resolve("user"));
        Path net = TestPlugin.withProbe("net", "tcp.connect", "from net").jar(shipped);
        Path evil = TestPlugin.withProbe("evil", "tcp.connect", "from evil")
                .probe("evil.ExtraProbe", "evil.extra", "\"extra\"").jar(user);

        for (boolean userFirst : new boolean[]{false, true}) {   // whichever directory is searched first
            PluginLoader.Result r = load(b -> userFirst ? b.directory(user).builtInDirectory(shipped)
                    : b.builtInDirectory(shipped).directory(user));

            assertThat(run(r, "tcp.connect")).isEqualTo("from net");
            assertThat(r.registry().pluginOf("tcp.connect")).contains("net");
            assertThat(run(r, "evil.extra")).isEqualTo("extra");
            assertThat(r.problems()).singleElement().satisfies(p -> {
                assertThat(p.source()).isEqualTo("evil");
                assertThat(p.message()).isEqualTo("probe id 'tcp.connect' of plugin 'evil' (" + evil + ") is the id of a probe "
                        + "reach ships, in plugin 'net' (" + net + "): that one stays and this one is not loaded; give it an id of its own");
            });
            assertThat(r.plugins()).extracting(LoadedPlugin::id, LoadedPlugin::probeIds).contains(
                    org.assertj.core.groups.Tuple.tuple("net", List.of("tcp.connect")),
                    org.assertj.core.groups.Tuple.tuple("evil", List.of("evil.extra")));
            loaders.closeLast();
        }
    }

    @Test
    void embeddedProbeAndPluginProbeWithOneIdAreBothRefused() {
        Path jar = TestPlugin.withProbe("net", "tcp.connect", "from net").jar(dir);
        Probe embedded = new ProbeRegistryTest.Fixed("tcp.connect");

        PluginLoader.Result r = load(b -> b.probe(embedded).probe(new ProbeRegistryTest.Fixed("own.probe")).directory(dir));

        assertThat(r.registry().ids()).containsExactly("own.probe");
        assertThat(r.registry().pluginOf("own.probe")).contains(ProbeRegistry.EMBEDDED);
        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).isEqualTo(
                "probe id 'tcp.connect' is provided by both 'embedded' and 'net' (" + jar + "); remove one");
    }

    @Test
    void pluginsBundlingDifferentVersionsOfOneHelperEachSeeTheirOwn() throws Exception {
        for (String v : List.of("1", "2")) {
            TestPlugin.named("p" + v)
                    .lib("shared.Greeting", "package shared; public final class Greeting { public static String text() { return \"helper v" + v + "\"; } }")
                    .probe("p" + v + ".GreetProbe", "greet.v" + v, "shared.Greeting.text()")
                    .jar(dir);
        }

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).isEmpty();
        assertThat(run(r, "greet.v1")).isEqualTo("helper v1");
        assertThat(run(r, "greet.v2")).isEqualTo("helper v2");
    }

    @Test
    void samePluginIdInTwoDirectoriesKeepsTheFirstAndNamesBothPaths() throws Exception {
        Path first = TestPlugin.withProbe("good", "echo.say", "said hello").jar(dir.resolve("dist"));
        Path second = TestPlugin.withProbe("good", "echo.other", "other").jar(dir.resolve("extra"));

        PluginLoader.Result r = load(dir.resolve("dist"), dir.resolve("extra"));

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).isEqualTo(
                "plugin id 'good' of '" + second + "' is already taken by '" + first + "'; remove one");
        assertThat(r.registry().ids()).containsExactly("echo.say");
    }

    @Test
    void pluginWithoutAnIndexSaysItDeclaresNoProbes() {
        TestPlugin.named("empty").source("empty.Nothing", "package empty; public class Nothing {}").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).isEqualTo(
                "plugin 'empty' declares no probes: its META-INF/extensions.idx is missing or empty"
                        + " (is pf4j in the compiler's annotationProcessorPaths?)");
        assertThat(r.plugins()).extracting(LoadedPlugin::id).containsExactly("empty");
    }

    @Test
    void pluginClassThatFailsToStartIsReportedAndOthersLoad() throws Exception {
        goodPluginBeside();
        TestPlugin.withProbe("sulky", "sulky.probe", "x")
                .source("sulky.SulkyPlugin", "package sulky; public class SulkyPlugin extends org.pf4j.Plugin {"
                        + " public void start() { throw new IllegalStateException(\"no config\"); } }")
                .property("plugin.class", "sulky.SulkyPlugin").jar(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message)
                .isEqualTo("plugin 'sulky' failed to start: IllegalStateException: no config");
        assertThat(r.registry().ids()).containsExactly("echo.say");
        assertGoodLoaded(r);
    }

    /**
     * A plugin class whose start() hangs (deaf to interrupts; it ends by itself after 20 s) is left out after the
     * deadline (here 300 ms), its thread counted; the plugins after it start in another thread.
     */
    @Test
    void pluginClassThatHangsInStartIsLeftOutAfterTheDeadline() throws Exception {
        goodPluginBeside();
        TestPlugin.withProbe("asleep", "asleep.probe", "x")
                .source("asleep.SleepyPlugin", """
                        package asleep;
                        public class SleepyPlugin extends org.pf4j.Plugin {
                            public void start() {
                                long end = System.nanoTime() + 20_000_000_000L;
                                while (System.nanoTime() < end) { try { Thread.sleep(20); } catch (InterruptedException ignored) { } }
                            }
                        }
                        """)
                .property("plugin.class", "asleep.SleepyPlugin").jar(dir);

        long t0 = System.nanoTime();
        PluginLoader.Result r = load(b -> b.directory(dir).callLimit(java.time.Duration.ofMillis(300)));
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message)
                .isEqualTo("plugin 'asleep' did not finish starting within 300ms; left out");
        assertThat(r.registry().ids()).containsExactly("echo.say");
        assertGoodLoaded(r);
        assertThat(loaders.last().abandoned().list()).extracting(AbandonedThreads.Entry::name)
                .containsExactly("plugin 'asleep', start()");
        assertThat(ms).as("ms to load").isLessThan(10_000);
    }

    @Test
    void pf4jPluginDirectoryWithClassesAndLibLoads() throws Exception {
        TestPlugin.named("dirplug")
                .lib("dirlib.Word", "package dirlib; public final class Word { public static String of() { return \"from lib\"; } }")
                .probe("dirplug.WordProbe", "word.say", "dirlib.Word.of()")
                .directory(dir);

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).isEmpty();
        assertThat(run(r, "word.say")).isEqualTo("from lib");
        assertThat(r.plugins()).singleElement().extracting(LoadedPlugin::path).isEqualTo(dir.resolve("dirplug"));
    }

    @Test
    void developmentModeLoadsModulesFromTargetClassesAndTargetLib() throws Exception {
        Path tree = dir.resolve("plugins");
        TestPlugin.named("devnet")
                .lib("devlib.Word", "package devlib; public final class Word { public static String of() { return \"dev lib\"; } }")
                .probe("devnet.DevProbe", "dev.say", "devlib.Word.of()")
                .module(tree);
        TestPlugin.withProbe("nested", "nested.say", "nested").module(tree.resolve("examples"));
        Files.writeString(tree.resolve("examples/pom.xml"), "<project/>\n");
        Files.createDirectories(tree.resolve("unbuilt"));
        Files.writeString(tree.resolve("unbuilt/pom.xml"), "<project/>\n");

        PluginLoader.Result r = load(b -> b.development(true).directory(tree));

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).isEqualTo(
                "module '" + tree.resolve("unbuilt") + "' has no target/classes/plugin.properties; build it first (./mvnw package)");
        assertThat(run(r, "dev.say")).isEqualTo("dev lib");
        assertThat(run(r, "nested.say")).isEqualTo("nested");
        assertThat(r.plugins()).extracting(LoadedPlugin::path).containsExactly(tree.resolve("devnet"), tree.resolve("examples/nested"));
    }

    @Test
    void sourceTreeLoadedWithoutDevelopmentModeSaysSo() {
        Path tree = dir.resolve("plugins");
        TestPlugin.withProbe("devnet", "dev.say", "x").module(tree);

        assertThat(load(tree).problems()).singleElement().extracting(PluginProblem::message).isEqualTo("'" + tree.resolve("devnet")
                + "' has no plugin descriptor; it looks like a Maven module: load source trees in development mode");
    }

    @Test
    void pathListIsSplitAndAMissingDirectoryIsReported() throws Exception {
        goodPluginBeside();
        Path missing = dir.resolve("nowhere");
        String env = missing + File.pathSeparator + File.pathSeparator + dir + File.pathSeparator;

        PluginLoader.Result r = load(b -> b.pathList(env).pathList(null).directory(dir));

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message)
                .isEqualTo("plugin directory '" + missing + "' does not exist");
        assertThat(r.plugins()).hasSize(1);
        assertGoodLoaded(r);
    }

    @Test
    void zipsAndOtherFilesAreNotTakenForPlugins() throws Exception {
        goodPluginBeside();
        Files.writeString(dir.resolve("README.txt"), "notes");
        Path zip = Files.writeString(dir.resolve("old.zip"), "zip");

        PluginLoader.Result r = load(dir);

        assertThat(r.problems()).singleElement().extracting(PluginProblem::message)
                .isEqualTo("'" + zip + "' is a zip: unzip it into a directory of its own, or use the plugin's jar");
        assertGoodLoaded(r);
    }

    @Test
    void brokenPluginsLeaveNoWarningsOrStackTracesInTheLog() {
        goodPluginBeside();
        TestPlugin.withProbe("bare", "bare.probe", "x").withoutDescriptor().jar(dir);
        TestPlugin.withProbe("future", "future.probe", "x").requires(">=9.0.0").jar(dir);
        TestPlugin.withProbe("ghost", "ghost.real", "real").indexed("ghost.MissingProbe").jar(dir);
        TestPlugin.withProbe("sulky", "sulky.probe", "x")
                .source("sulky.SulkyPlugin", "package sulky; public class SulkyPlugin extends org.pf4j.Plugin {"
                        + " public void start() { throw new IllegalStateException(\"no config\"); } }")
                .property("plugin.class", "sulky.SulkyPlugin").jar(dir);
        TestPlugin.withProbe("badclass", "badclass.probe", "x").property("plugin.class", "badclass.Missing").jar(dir);

        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PluginLoader.Result r;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            r = load(dir);
        } finally {
            System.setErr(err);
        }

        assertThat(r.problems()).hasSize(5);
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).as("PF4J logs its lifecycle at INFO, so the capture is live").contains("org.pf4j");
        assertThat(log).doesNotContain("WARN", "ERROR", "Exception", "\tat ");
    }
}
