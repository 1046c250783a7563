package dev.reach.shell;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every help page, as {@code reach ... --help} prints it, fits 80 columns, says nothing of "null", and never breaks
 * a path or a URL across two lines ({@code https:} / {@code //web01/}, {@code /tmp/resolv.} / {@code conf}).
 */
class HelpPagesTest {
    @Test
    void everyHelpPageFitsEightyColumnsAndHasNoNull() {
        List<String> problems = new ArrayList<>();
        List<String> pages = new ArrayList<>();
        walk(Main.tree().commandLine(), pages, problems);
        assertThat(pages).as("pages rendered").contains("reach", "reach probe", "reach daemon start", "reach completion");
        assertThat(problems).isEmpty();
    }

    private static void walk(CommandLine c, List<String> pages, List<String> problems) {
        String name = c.getCommandSpec().qualifiedName();
        pages.add(name);
        StringWriter page = new StringWriter();
        c.usage(new PrintWriter(page), CommandLine.Help.Ansi.OFF);
        List<String> lines = page.toString().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.length() > 80) problems.add(name + ": " + line.length() + " columns: " + line);
            if (line.contains("null")) problems.add(name + ": null: " + line);
            String[] words = line.strip().split(" ");
            String last = words[words.length - 1];
            String next = i + 1 < lines.size() ? lines.get(i + 1).strip() : "";
            boolean cut = last.matches("[a-z]+:") && next.startsWith("//")          // https: | //web01/
                    || last.matches("\\S*/\\S*[.=-]") && next.matches("[a-z0-9].*"); // /tmp/resolv. | conf
            if (cut) problems.add(name + ": a path or URL broken across lines: '" + last + "' / '" + next + "'");
        }
        c.getSubcommands().values().stream().distinct().forEach(sub -> walk(sub, pages, problems));
    }
}
