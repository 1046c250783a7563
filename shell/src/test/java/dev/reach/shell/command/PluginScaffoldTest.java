package dev.reach.shell.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scaffold's names and files, against the repository's template. */
class PluginScaffoldTest {
    private static final Path TEMPLATE = Path.of("..", "templates", "probe-plugin").toAbsolutePath().normalize();
    private static final java.net.URI SDK = java.net.URI.create("file:///somewhere/reach/sdk/repository/");

    @Test
    void namesComeFromTheProbeId() {
        PluginScaffold.Names n = PluginScaffold.names("smtp.banner", null, null, null);
        assertThat(n.pluginId()).isEqualTo("smtp");
        assertThat(n.className()).isEqualTo("SmtpBannerProbe");
        assertThat(n.packageName()).isEqualTo("org.example.reach.smtp");
        assertThat(n.artifactId()).isEqualTo("reach-plugin-smtp");
        assertThat(n.provider()).isEqualTo("example.org");
        assertThat(n.causeCode()).isEqualTo("smtp.unexpected");
        PluginScaffold.Names hyphens = PluginScaffold.names("my-db.wal-lag", null, "com.acme.reach", null);
        assertThat(hyphens.className()).isEqualTo("MyDbWalLagProbe");
        assertThat(hyphens.packageName()).isEqualTo("com.acme.reach");
        assertThat(hyphens.provider()).isEqualTo("acme.com");
        assertThat(PluginScaffold.names("my-db.x", null, null, null).packageName()).isEqualTo("org.example.reach.mydb");
    }

    @Test
    void badNamesSayWhatIsAllowed() {
        assertThatThrownBy(() -> PluginScaffold.names("SMTP", null, null, null)).hasMessageContaining("probe id 'SMTP' is not dotted lower-case");
        assertThatThrownBy(() -> PluginScaffold.names("smtp.banner", "Smtp", null, null)).hasMessageContaining("--plugin-id 'Smtp'");
        assertThatThrownBy(() -> PluginScaffold.names("smtp.banner", null, "com.acme.new", null)).hasMessageContaining("--package 'com.acme.new'");
        assertThatThrownBy(() -> PluginScaffold.names("smtp.banner", null, "acme", null)).hasMessageContaining("two parts or more");
        assertThatThrownBy(() -> PluginScaffold.names("smtp.banner", null, null, " ")).hasMessageContaining("--description");
    }

    /** One source of truth: the template is what the scaffold makes from the template's own names. */
    @Test
    void theTemplateIsItsOwnScaffoldsOutput(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("banner");
        List<Path> written = PluginScaffold.write(TEMPLATE, out, PluginScaffold.TEMPLATE, SDK);
        assertThat(written).contains(Path.of("pom.xml"), Path.of("mvnw"), Path.of(".mvn/wrapper/maven-wrapper.properties"),
                Path.of("src/main/java/org/example/reach/banner/BannerReadProbe.java"));
        for (Path rel : written) {
            String made = Files.readString(out.resolve(rel));
            String template = Files.readString(TEMPLATE.resolve(rel));
            if (rel.equals(Path.of("pom.xml"))) {
                assertThat(made).contains("<reach.sdk>" + SDK + "</reach.sdk>");
                made = made.replace(SDK.toString(), PluginScaffold.TEMPLATE_SDK);
            }
            assertThat(made).as(rel.toString()).isEqualTo(template);
        }
        assertThat(Files.isExecutable(out.resolve("mvnw"))).isTrue();
    }

    @Test
    void everyNameOfTheTemplateIsReplaced(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("smtp");
        PluginScaffold.Names n = PluginScaffold.names("smtp.banner", null, "com.acme.mail", "Checks the SMTP greeting.");
        List<Path> written = PluginScaffold.write(TEMPLATE, out, n, SDK);
        assertThat(written).contains(Path.of("src/main/java/com/acme/mail/SmtpBannerProbe.java"),
                Path.of("src/test/java/com/acme/mail/SmtpBannerProbeTest.java"), Path.of("src/test/java/com/acme/mail/SpecsTest.java"));
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f);
                assertThat(text).as(f.toString()).doesNotContain("banner.read", "BannerReadProbe", "org.example", "example.org",
                        "reach-plugin-banner", "plugin: banner", "banner.unexpected", "/opt/reach");
            }
        }
        assertThat(Files.readString(out.resolve("src/main/resources/plugin.properties")))
                .contains("plugin.id=smtp\n", "plugin.provider=acme.com\n");
        assertThat(Files.readString(out.resolve("src/main/resources/reach-causes.tsv"))).contains("\nsmtp.unexpected\t");
        assertThat(Files.readString(out.resolve("pom.xml"))).contains("<groupId>com.acme.mail</groupId>",
                "<artifactId>reach-plugin-smtp</artifactId>", "<name>reach plugin: smtp</name>",
                "<description>Checks the SMTP greeting.</description>");
        assertThat(Files.readString(out.resolve("src/main/java/com/acme/mail/SmtpBannerProbe.java")))
                .contains("package com.acme.mail;", "ProbeSpec.builder(\"smtp.banner\"", "\"smtp.unexpected\"");
    }

    @Test
    void nothingIsOverwritten(@TempDir Path tmp) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> PluginScaffold.write(TEMPLATE, out, PluginScaffold.TEMPLATE, SDK))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("is not empty; nothing was written");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).containsExactly(out.resolve("notes.txt"));
        }
    }

    @Test
    void replacementsAreMadeOnceLeftToRight() {
        assertThat(PluginScaffold.replace("a.b ab b", Map.of("a.b", "b", "b", "c"))).isEqualTo("b ac c");
    }
}
