package dev.reach.dist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reach plugins install}: checked before it is copied, never replaces without --force, found afterwards. */
class PluginsInstallIT {

    @Test
    void aGoodPluginIsInstalledIntoTheUserFolderAndLoadsFromThere(@TempDir Path tmp) throws Exception {
        Map<String, String> env = Map.of("XDG_DATA_HOME", tmp.resolve("data").toString());
        Path jar = tmp.resolve("acme-1.0.0.jar");
        PluginJars.build(tmp, jar, "acme", "1.0.0", null, "acme.hello");

        var r = Cli.reach(env, "plugins", "install", jar.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Path installed = tmp.resolve("data/reach/plugins/acme-1.0.0.jar");
        assertThat(r.out()).contains("installed acme 1.0.0 (probes: acme.hello) to " + installed);
        assertThat(installed).exists();

        var probe = Cli.reach(env, "probe", "acme.hello");
        assertThat(probe.exit()).as(probe.toString()).isZero();
        assertThat(probe.out()).contains("acme 1.0.0 says hello");
    }

    @Test
    void anInstalledPluginIsReplacedOnlyWithForce(@TempDir Path tmp) throws Exception {
        Map<String, String> env = Map.of("XDG_DATA_HOME", tmp.resolve("data").toString());
        Path v1 = tmp.resolve("acme-1.0.0.jar");
        Path v2 = tmp.resolve("acme-1.1.0.jar");
        PluginJars.build(tmp, v1, "acme", "1.0.0", null, "acme.hello");
        PluginJars.build(tmp, v2, "acme", "1.1.0", null, "acme.hello");
        assertThat(Cli.reach(env, "plugins", "install", v1.toString()).exit()).isZero();

        var refused = Cli.reach(env, "plugins", "install", v2.toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("plugin 'acme' is already installed as").contains("use --force");
        assertThat(tmp.resolve("data/reach/plugins/acme-1.0.0.jar")).exists();

        var forced = Cli.reach(env, "plugins", "install", "--force", v2.toString());
        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(tmp.resolve("data/reach/plugins/acme-1.0.0.jar")).doesNotExist();
        assertThat(Cli.reach(env, "probe", "acme.hello").out()).contains("acme 1.1.0 says hello");
    }

    @Test
    void aPluginForANewerEngineOrClashingWithABuiltInProbeIsRefused(@TempDir Path tmp) throws Exception {
        Map<String, String> env = Map.of("XDG_DATA_HOME", tmp.resolve("data").toString());
        Path future = tmp.resolve("future.jar");
        PluginJars.build(tmp, future, "future", "1.0.0", ">=99.0.0", "future.probe");
        var r = Cli.reach(env, "plugins", "install", future.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("not installed").contains("requires reach >=99.0.0");

        Path clash = tmp.resolve("clash.jar");
        PluginJars.build(tmp, clash, "clash", "1.0.0", null, "tcp.connect");
        var c = Cli.reach(env, "plugins", "install", clash.toString());
        assertThat(c.exit()).as(c.toString()).isEqualTo(1);
        assertThat(c.err()).contains("tcp.connect");
        assertThat(tmp.resolve("data/reach/plugins")).doesNotExist();

        var notAJar = Cli.reach(env, "plugins", "install", tmp.resolve("nothing.txt").toString());
        assertThat(notAJar.exit()).isEqualTo(2);
    }
}
