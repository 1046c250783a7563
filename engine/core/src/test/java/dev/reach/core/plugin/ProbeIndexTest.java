package dev.reach.core.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** A run of one probe loads only the built-in jar that registers it, by an index a full load wrote; else everything. */
class ProbeIndexTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Loaders loaders = new Loaders();

    private PluginLoader.Result load(UnaryOperator<PluginLoader.Builder> setup) {
        return loaders.load(setup);
    }

    private List<String> loadedFor(Path shipped, String probe) {
        return load(b -> b.builtInDirectory(shipped).only(probe)).plugins().stream().map(LoadedPlugin::id).toList();
    }

    @Test
    void aFullLoadWritesTheIndexAndAOneProbeRunThenLoadsOnlyItsJar() throws Exception {
        Path shipped = Files.createDirectories(dir.resolve("shipped"));
        TestPlugin.withProbe("alpha", "alpha.one", "a").probe("alpha.TwoProbe", "alpha.two", "\"a2\"").jar(shipped);
        TestPlugin.withProbe("beta", "beta.one", "b").jar(shipped);

        assertThat(loadedFor(shipped, "beta.one")).as("no index yet: everything").containsExactly("alpha", "beta");
        assertThat(Files.readString(shipped.resolve(ProbeIndex.FILE))).containsPattern("\talpha\\.one=[\\w.]+,alpha\\.two=alpha\\.TwoProbe\n")
                .containsPattern("\tbeta\\.one=[\\w.]+\n");

        PluginLoader.Result r = load(b -> b.builtInDirectory(shipped).only("alpha.two"));
        assertThat(r.plugins()).extracting(LoadedPlugin::id).containsExactly("alpha");
        assertThat(r.registry().ids()).as("its plugin's other probes are not even created").containsExactly("alpha.two");
        assertThat(r.registry().find("alpha.two").orElseThrow().run(null, new dev.reach.spi.Params(java.util.Map.of())).summary())
                .isEqualTo("a2");
        assertThat(r.problems()).isEmpty();
        assertThat(loadedFor(shipped, "no.such")).as("a probe the index does not list: everything").containsExactly("alpha", "beta");
    }

    @Test
    void anIndexThatNoLongerDescribesTheDirectoryIsNotBelieved() throws Exception {
        Path shipped = Files.createDirectories(dir.resolve("shipped"));
        Path alpha = TestPlugin.withProbe("alpha", "alpha.one", "a").jar(shipped);
        TestPlugin.withProbe("beta", "beta.one", "b").jar(shipped);
        loadedFor(shipped, "beta.one");
        assertThat(loadedFor(shipped, "beta.one")).containsExactly("beta");

        long modified = Files.getLastModifiedTime(alpha).toMillis();
        Files.setLastModifiedTime(alpha, FileTime.fromMillis(modified / 1000 * 1000));
        assertThat(loadedFor(shipped, "beta.one")).as("whole seconds, as tar keeps them: still true").containsExactly("beta");
        Files.setLastModifiedTime(alpha, FileTime.fromMillis(modified - 60_000));
        assertThat(loadedFor(shipped, "beta.one")).as("a jar touched since").containsExactly("alpha", "beta");
        assertThat(loadedFor(shipped, "beta.one")).as("the full load wrote it again").containsExactly("beta");

        TestPlugin.withProbe("gamma", "beta.one", "c").jar(shipped);
        assertThat(loadedFor(shipped, "beta.one")).as("a jar added: which one wins is the full load's to say")
                .contains("alpha", "beta", "gamma");

        Files.delete(shipped.resolve(shipped.toFile().list((d, n) -> n.startsWith("gamma"))[0]));
        loadedFor(shipped, "alpha.one");
        Files.delete(alpha);
        assertThat(loadedFor(shipped, "beta.one")).as("a jar removed").containsExactly("beta");
        assertThat(Files.readString(shipped.resolve(ProbeIndex.FILE))).doesNotContain("alpha");
    }

    @Test
    void onlyTheBuiltInPluginsAreLeftOut() throws Exception {
        Path shipped = Files.createDirectories(dir.resolve("shipped"));
        Path user = Files.createDirectories(dir.resolve("user"));
        TestPlugin.withProbe("alpha", "alpha.one", "a").jar(shipped);
        TestPlugin.withProbe("beta", "beta.one", "b").jar(shipped);
        load(b -> b.builtInDirectory(shipped));
        TestPlugin.withProbe("impostor", "alpha.one", "i").jar(user);

        PluginLoader.Result r = load(b -> b.directory(user).builtInDirectory(shipped).only("alpha.one"));

        assertThat(r.plugins()).extracting(LoadedPlugin::id).containsExactlyInAnyOrder("alpha", "impostor");
        assertThat(r.registry().pluginOf("alpha.one")).contains("alpha");
        assertThat(r.problems()).singleElement().extracting(PluginProblem::message).asString()
                .contains("probe id 'alpha.one' of plugin 'impostor'");
    }

    @Test
    void aJarOfTheFolderThatDoesNotLoadKeepsTheIndexUnwrittenAndPluginsFromElsewhereAreNotIndexed() throws Exception {
        Path shipped = Files.createDirectories(dir.resolve("shipped"));
        Path user = Files.createDirectories(dir.resolve("user"));
        TestPlugin.withProbe("alpha", "alpha.one", "a").jar(shipped);
        TestPlugin.withProbe("mine", "mine.one", "m").jar(user);
        Files.writeString(shipped.resolve("broken.jar"), "not a jar");

        load(b -> b.builtInDirectory(shipped).directory(user).only("alpha.one"));
        assertThat(shipped.resolve(ProbeIndex.FILE)).as("a jar of the folder did not load").doesNotExist();

        Files.delete(shipped.resolve("broken.jar"));
        Files.writeString(user.resolve("broken.jar"), "not a jar");
        PluginLoader.Result r = load(b -> b.builtInDirectory(shipped).directory(user).only("mine.one"));
        assertThat(r.plugins()).extracting(LoadedPlugin::id).containsExactly("alpha", "mine");
        assertThat(r.problems()).as("the user's broken jar").hasSize(1);
        assertThat(Files.readString(shipped.resolve(ProbeIndex.FILE))).as("the folder's jars all loaded")
                .contains("alpha.one").doesNotContain("mine");
        assertThat(user.resolve(ProbeIndex.FILE)).doesNotExist();
        assertThat(load(b -> b.builtInDirectory(shipped).directory(user).only("mine.one")).plugins())
                .as("a probe of a plugin from elsewhere: everything").extracting(LoadedPlugin::id).containsExactly("alpha", "mine");
        PluginLoader.Result one = load(b -> b.builtInDirectory(shipped).directory(user).only("alpha.one"));
        assertThat(one.plugins()).as("a plugin from elsewhere still loads, so its problems are still said").extracting(LoadedPlugin::id)
                .containsExactly("alpha", "mine");
        assertThat(one.problems()).hasSize(1);
    }
}
