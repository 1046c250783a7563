package dev.reach.core.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares rendered output with a file under {@code src/test/resources/golden/}; with
 * {@code -Dgolden.update=true} it rewrites the file instead. A mismatch fails with a line diff.
 */
final class Golden {
    static final Path DIR = Path.of("src/test/resources/golden");
    private static final int CONTEXT = 2;

    private Golden() {
    }

    static void check(String name, String actual) throws IOException {
        Path file = DIR.resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(DIR);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(file)) {
            throw new AssertionError(file + " does not exist; create it with -Dgolden.update=true and review it");
        }
        String expected = Files.readString(file, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            throw new AssertionError(file + " differs from the rendered output (- golden, + rendered);"
                    + " if the change is intended, rerun with -Dgolden.update=true and review the diff\n"
                    + diff(expected.lines().toList(), actual.lines().toList())
                    + (expected.lines().toList().equals(actual.lines().toList()) ? "(only line endings or the final newline differ)\n" : ""));
        }
    }

    /** A unified-style diff from the longest common subsequence of lines; golden files are small. */
    static String diff(List<String> a, List<String> b) {
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> ops = new ArrayList<>();   // each "  ", "- " or "+ " then "<line no>| text"
        int i = 0, j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                ops.add("  " + (i + 1) + "| " + a.get(i++));
                j++;
            } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.add("- " + (i + 1) + "| " + a.get(i++));
            } else {
                ops.add("+ " + (j + 1) + "| " + b.get(j++));
            }
        }
        boolean[] show = new boolean[ops.size()];
        for (int k = 0; k < ops.size(); k++) {
            if (!ops.get(k).startsWith("  ")) {
                for (int m = Math.max(0, k - CONTEXT); m <= Math.min(ops.size() - 1, k + CONTEXT); m++) show[m] = true;
            }
        }
        var out = new StringBuilder();
        int last = -1;
        for (int k = 0; k < ops.size(); k++) {
            if (!show[k]) continue;
            if (k > last + 1) out.append("  ...\n");
            out.append(ops.get(k)).append('\n');
            last = k;
        }
        if (last >= 0 && last < ops.size() - 1) out.append("  ...\n");
        return out.toString();
    }
}
