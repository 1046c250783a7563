package dev.reach.shell.resident;

import dev.reach.shell.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The resident reach's wire format and its decisions; ResidentIT runs the real thing. */
class ResidentTest {

    @Test
    void aRequestIsItsFieldsThenArgcArguments() throws IOException {
        var r = ResidentWire.ClientRequest.read(in("protocol=reach-resident/1\0cwd=/srv\0tty=1\0argc=3\0db01:5432\0\0--json\0c"));
        assertThat(r.fields()).containsEntry("cwd", "/srv").containsEntry("protocol", "reach-resident/1");
        assertThat(r.flag("tty")).isTrue();
        assertThat(r.flag("errtty")).isFalse();
        assertThat(r.args()).containsExactly("db01:5432", "", "--json");
    }

    @Test
    void reportsTakeTheClientsWidthItsColumnsFirstThenItsTerminal() throws IOException {
        var terminal = ResidentWire.ClientRequest.read(in("tty=1\0columns=132\0argc=0\0"));
        assertThat(new ResidentWorkbench(terminal, setup -> null, dev.reach.shell.history.Recorder::off).outputMode(false).width()).isEqualTo(132);
        var told = ResidentWire.ClientRequest.read(in("tty=1\0columns=132\0env.COLUMNS=100\0argc=0\0"));
        assertThat(new ResidentWorkbench(told, setup -> null, dev.reach.shell.history.Recorder::off).outputMode(false).width()).isEqualTo(100);
        var piped = ResidentWire.ClientRequest.read(in("tty=0\0argc=0\0"));
        assertThat(new ResidentWorkbench(piped, setup -> null, dev.reach.shell.history.Recorder::off).outputMode(false).width()).isEqualTo(80);
    }

    @Test
    void aMalformedRequestIsRefusedWithTheReason() {
        assertThatThrownBy(() -> ResidentWire.ClientRequest.read(in("cwd=/srv\0argc=2\0only-one\0"))).hasMessageContaining("ended early");
        assertThatThrownBy(() -> ResidentWire.ClientRequest.read(in("no-equals-sign\0argc=0\0"))).hasMessageContaining("without '='");
        assertThatThrownBy(() -> ResidentWire.ClientRequest.read(in("argc=-1\0"))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ResidentWire.ClientRequest.read(in("argc=x\0"))).hasMessageContaining("not a number");
    }

    @Test
    void itServesCommandsThatNeedNoTerminalAndNoOthers() {
        assertThat(Resident.servable(Main.tree(), List.of("db01:5432", "--json"))).isNull();
        assertThat(Resident.servable(Main.tree(), List.of("https://web.lab.test/"))).isNull();
        assertThat(Resident.servable(Main.tree(), List.of("probe", "tcp.connect"))).isNull();
        assertThat(Resident.servable(Main.tree(), List.of("shell"))).contains("runs on its own");
        assertThat(Resident.servable(Main.tree(), List.of("daemon", "stop"))).contains("runs on its own");
        assertThat(Resident.servable(Main.tree(), List.of())).contains("the shell needs the terminal");
    }

    @Test
    void aClientThatWouldSeeSomethingElseIsDeclinedSayingWhat() {
        var here = new ResidentPlace.Identity("4026531840", "2049:11", "2049:12", "/srv", "/opt/reach", Map.of("PATH", "/usr/bin"));
        Map<String, String> same = Map.of("netns", "4026531840", "resolv", "2049:11", "hosts", "2049:12", "cwd", "/srv",
                "home", "/opt/reach", "env.PATH", "/usr/bin");
        assertThat(here.mismatch(same)).isNull();
        assertThat(here.mismatch(with(same, "netns", "4026532176"))).contains("another network namespace");
        assertThat(here.mismatch(with(same, "resolv", "2049:99"))).contains("/etc/resolv.conf");
        assertThat(here.mismatch(with(same, "cwd", "/tmp"))).as("any directory: relative paths are resolved there").isNull();
        assertThat(here.mismatch(with(same, "cwd", "-"))).contains("working directory is unknown");
        var relative = new ResidentPlace.Identity("4026531840", "2049:11", "2049:12", "/srv", "/opt/reach",
                Map.of("PATH", "/usr/bin", "REACH_PLUGINS", "/opt/p:plugins"));
        Map<String, String> sameRelative = with(same, "env.REACH_PLUGINS", "/opt/p:plugins");
        assertThat(relative.mismatch(sameRelative)).isNull();
        assertThat(relative.mismatch(with(sameRelative, "cwd", "/tmp"))).contains("REACH_PLUGINS names a relative directory");
        assertThat(here.mismatch(with(same, "env.REACH_PLUGINS", "/x"))).contains("REACH_PLUGINS");
        assertThat(here.mismatch(with(same, "env.HTTPS_PROXY", "http://127.0.0.1:3128"))).as("a proxy changes http.get's verdict")
                .contains("HTTPS_PROXY");
        assertThat(here.mismatch(with(same, "env.RES_OPTIONS", "ndots:5"))).contains("RES_OPTIONS");
        assertThat(here.mismatch(with(same, "env.PATH", "/bin"))).contains("PATH");
    }

    @Test
    void theLaunchersClientSendsEveryVariableTheResidentCompares() throws IOException {
        String client = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/resident/reach-resident.pl"));
        var m = java.util.regex.Pattern.compile("for my \\$k \\(qw\\(([^)]*)\\)\\)").matcher(client);
        assertThat(m.find()).as("the client's list of variables").isTrue();
        assertThat(List.of(m.group(1).trim().split("\\s+"))).containsAll(ResidentPlace.ENVIRONMENT);
    }

    @Test
    void aSecretFromStandardInputOrTheEnvironmentIsReadWhereTheCommandRuns() {
        assertThat(Resident.servable(Main.tree(), List.of("probe", "redis.ping", "host=127.0.0.1", "password=@-")))
                .contains("read where the command runs");
        assertThat(Resident.servable(Main.tree(), List.of("db01:6379", "--set", "password=@env:PW"))).contains("=@env:");
        assertThat(Resident.servable(Main.tree(), List.of("probe", "redis.ping", "host=127.0.0.1", "password=@pw.txt")))
                .as("a file is read the same way from any directory").isNull();
    }

    @Test
    void framesAreTypeLengthPayload() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        var frames = new ResidentWire.Frames(raw);
        var out = frames.stream(ResidentWire.OUT);
        out.write("hé".getBytes(StandardCharsets.UTF_8));
        out.flush();
        out.flush();   // nothing buffered: no empty frame
        frames.exit(130);
        assertThat(raw.toByteArray()).containsExactly(1, 0, 0, 0, 3, 'h', 0xc3 - 256, 0xa9 - 256, 3, 0, 0, 0, 4, 0, 0, 0, (byte) 130);
    }

    @Test
    void durationsReadAsTheVerdictsWriteThem() {
        assertThat(Resident.text(Duration.ofMinutes(30))).isEqualTo("30m");
        assertThat(Resident.text(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Resident.text(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Resident.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    private static Map<String, String> with(Map<String, String> m, String k, String v) {
        var copy = new java.util.HashMap<>(m);
        copy.put(k, v);
        return copy;
    }

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
