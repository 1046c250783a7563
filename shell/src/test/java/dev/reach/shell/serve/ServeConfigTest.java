package dev.reach.shell.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServeConfigTest {
    @TempDir
    Path dir;

    @Test
    void modulesAndAnAllowListAreRead() throws Exception {
        Path f = write("""
                modules:
                  web:
                    playbook: unreachable
                    inputs: {timeout: 2s, other_ports: [22, 80]}
                    timeout: 8s
                  local:
                    playbook: mine/check.yaml
                allow:
                  - 127.0.0.0/8
                  - ::1
                  - "*.lab.test"
                  - db01.example.net
                """);
        ServeConfig c = ServeConfig.load(f);
        assertThat(c.modules()).containsOnlyKeys("web", "local");
        assertThat(c.modules().get("web")).isEqualTo(new ServeConfig.Module("unreachable",
                Map.of("timeout", "2s", "other_ports", List.of("22", "80")), Duration.ofSeconds(8)));
        assertThat(c.modules().get("local").playbook()).isEqualTo(dir.resolve("mine/check.yaml").toString());
        assertThat(c.modules().get("local").timeout()).isNull();
        assertThat(c.allow()).containsExactly("127.0.0.0/8", "::1", "*.lab.test", "db01.example.net");
    }

    @Test
    void theAllowListTakesNetworksAddressesNamesAndSuffixesAndNothingElse() {
        var c = new ServeConfig(Map.of(), List.of("127.0.0.0/8", "::1", "198.18.0.0/16", "*.lab.test", "db01.example.net"), null);
        assertThat(c.allows("127.3.4.5")).isTrue();
        assertThat(c.allows("[::1]")).isTrue();
        assertThat(c.allows("::1")).isTrue();
        assertThat(c.allows("198.18.255.1")).isTrue();
        assertThat(c.allows("198.19.0.1")).isFalse();
        assertThat(c.allows("web.lab.test")).isTrue();
        assertThat(c.allows("WEB.Lab.Test")).isTrue();
        assertThat(c.allows("lab.test")).isFalse();           // *.lab.test is what is under it
        assertThat(c.allows("evillab.test")).isFalse();
        assertThat(c.allows("db01.example.net")).isTrue();
        assertThat(c.allows("db02.example.net")).isFalse();
        assertThat(c.allows("::2")).isFalse();
        assertThat(c.allows("0x7f.1")).isFalse();             // a name, not an address: never looked up
        assertThat(ServeConfig.NONE.allows("anything")).isTrue();
    }

    @Test
    void mistakesAreReportedWithTheirPlace() throws Exception {
        Path f = write("""
                modules:
                  web:
                    playbok: unreachable
                    timeout: soon
                  "bad name!": {}
                allow:
                  - 198.18.0.0/33
                  - not a host
                extra: 1
                """);
        assertThatThrownBy(() -> ServeConfig.load(f)).isInstanceOfSatisfying(ServeConfig.Invalid.class, e ->
                assertThat(e.problems()).containsExactly(
                        f + ":3:5: unknown key 'playbok' in module 'web' (expected playbook, inputs, timeout)",
                        f + ":4:14: 'timeout': " + timeoutWords("soon"),
                        f + ":5:3: module name 'bad name!': letters, digits, '_', '.', '-'",
                        f + ":7:5: allow entry '198.18.0.0/33': prefix length out of range",
                        f + ":8:5: allow entry 'not a host': not an address, a network (ADDRESS/BITS), a host name or *.domain",
                        f + ":9:1: unknown key 'extra' (expected modules, allow)"));
    }

    @Test
    void yamlThatIsNotYamlOrHasADuplicateKeySaysWhere() throws Exception {
        Path dup = write("modules:\n  a: {}\n  a: {}\n");
        assertThatThrownBy(() -> ServeConfig.load(dup)).isInstanceOfSatisfying(ServeConfig.Invalid.class, e ->
                assertThat(e.problems()).containsExactly(dup + ":3:3: duplicate key 'a'"));
        Path broken = write("modules: [\n");
        assertThatThrownBy(() -> ServeConfig.load(broken)).isInstanceOf(ServeConfig.Invalid.class)
                .hasMessageStartingWith(broken + ":");
        assertThatThrownBy(() -> ServeConfig.load(dir.resolve("missing.yaml"))).isInstanceOf(ServeConfig.Invalid.class)
                .hasMessageContaining("cannot read it");
        assertThat(ServeConfig.load(write("")).modules()).isEmpty();
    }

    @Test
    void aScrapeTimeoutShortensTheDeadlineByHalfASecondAndNeverLengthensIt() throws Exception {
        var m = new ServeConfig.Module("unreachable", Map.of(), null);
        try (var server = new ProbeServer(null, new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                ServeConfig.NONE, null, 1, Duration.ofSeconds(10))) {
            assertThat(server.deadline(m, null)).isEqualTo(Duration.ofSeconds(10));
            assertThat(server.deadline(m, "4")).isEqualTo(Duration.ofMillis(3500));
            assertThat(server.deadline(m, "30")).isEqualTo(Duration.ofSeconds(10));
            assertThat(server.deadline(m, "0.2")).isEqualTo(Duration.ofMillis(100));
            assertThat(server.deadline(m, "soon")).isEqualTo(Duration.ofSeconds(10));
            assertThat(server.deadline(new ServeConfig.Module("x", Map.of(), Duration.ofSeconds(2)), "9.5")).isEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void aRequestNamesInstalledPlaybooksOnlyNeverAPath() {
        assertThat(ProbeServer.installed("../../etc/passwd")).isNull();
        assertThat(ProbeServer.installed("/etc/passwd")).isNull();
        assertThat(ProbeServer.installed("a.b")).isNull();
    }

    @Test
    void theQueryIsDecodedAndANameGivenTwiceIsRefused() {
        assertThat(ProbeServer.query("target=127.0.0.1%3A22&module=web&x=a+b")).containsExactly(
                Map.entry("target", "127.0.0.1:22"), Map.entry("module", "web"), Map.entry("x", "a b"));
        assertThatThrownBy(() -> ProbeServer.query("target=a&target=b")).hasMessage("'target' is given twice");
    }

    @Test
    void theListenAddressIsALiteralOrLocalhost() {
        assertThat(ServeCommand.address("127.0.0.1:9720").getPort()).isEqualTo(9720);
        assertThat(ServeCommand.address("[::1]:0").getAddress().isLoopbackAddress()).isTrue();
        assertThat(ServeCommand.address("localhost:1").getAddress().isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> ServeCommand.address("web01:9720")).hasMessageContaining("the host is an address");
        assertThatThrownBy(() -> ServeCommand.address("127.0.0.1")).hasMessageContaining("write HOST:PORT");
        assertThatThrownBy(() -> ServeCommand.address("127.0.0.1:70000")).hasMessageContaining("0 to 65535");
    }

    private static String timeoutWords(String value) {
        try {
            dev.reach.spi.ParamType.DURATION.convert(value);
            return "";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private Path write(String text) throws Exception {
        Path f = Files.createTempFile(dir, "serve", ".yaml");
        Files.writeString(f, text);
        return f;
    }
}
