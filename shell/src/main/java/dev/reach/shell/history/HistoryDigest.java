package dev.reach.shell.history;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a verdict asks of the history, kept beside it in a small text file per target and playbook
 * ({@code history.db.d/HASH.txt}): the target's last healthy runs, newest first, as many as a baseline takes. A run
 * reads it before its report (a file read, where opening SQLite in a cold process costs tens of milliseconds) and
 * rewrites it from the database after recording a healthy run. The database stays the truth: a digest that is missing
 * or unreadable is made again from it, and one replaced by a concurrent writer is at most one healthy run behind.
 */
final class HistoryDigest {
    private static final String HEADER = "reach history digest 1";

    private HistoryDigest() {
    }

    /** The digest of {@code target} by {@code playbook} beside the history {@code db}. */
    static Path file(Path db, String target, String playbook) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((target + "\0" + playbook).getBytes(StandardCharsets.UTF_8));
            return db.resolveSibling(db.getFileName() + ".d").resolve(HexFormat.of().formatHex(h, 0, 12) + ".txt");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The healthy runs the digest holds, newest first; empty when there is no digest or it cannot be read. */
    static Optional<List<RunRecord>> read(Path file, String target, String playbook) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.isEmpty() || !lines.getFirst().equals(HEADER)) return Optional.empty();
        List<RunRecord> out = new ArrayList<>();
        try {
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) continue;
                Map<String, Object> m = FlatJson.read(line);
                Map<String, String> facts = new LinkedHashMap<>();
                Map<String, Double> metrics = new LinkedHashMap<>();
                m.forEach((k, v) -> {
                    if (k.startsWith("f.") && v != null) facts.put(k.substring(2), String.valueOf(v));
                    if (k.startsWith("m.") && v instanceof Double d) metrics.put(k.substring(2), d);
                });
                out.add(new RunRecord(((Double) m.get("id")).longValue(), target, playbook,
                        Instant.ofEpochMilli(((Double) m.get("started")).longValue()), 0, "ok", "certain", true, "", "",
                        facts, metrics));
            }
        } catch (RuntimeException e) {
            return Optional.empty();   // another version's, or cut short: made again from the database
        }
        return Optional.of(out);
    }

    /** Writes the digest of these healthy runs (newest first) whole, by a rename: a reader sees the old one or the new one. */
    static void write(Path file, List<RunRecord> healthy) throws IOException {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (RunRecord r : healthy) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("started", r.started().toEpochMilli());
            r.facts().forEach((k, v) -> m.put("f." + k, v));
            r.metrics().forEach((k, v) -> m.put("m." + k, v));
            b.append(FlatJson.write(m)).append('\n');
        }
        Files.createDirectories(file.getParent());
        // named by process and thread, not by Files.createTempFile: its random name costs a SecureRandom's start
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId() + ".tmp");
        try {
            Files.writeString(tmp, b, StandardCharsets.UTF_8);   // readable as the database beside it is
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
