package dev.reach.shell.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run history: one SQLite database (through sqlite-jdbc) in write-ahead-log mode, so the shell, a resident or
 * serving reach and any number of command-line runs write to it at once without corrupting it (SQLite's own file
 * locks; a writer that finds it busy waits up to {@link #BUSY_MS}). Bounded: past {@link #maxRuns} runs the oldest go.
 * One connection per store; the store is safe to share between threads (its methods are synchronized).
 */
public final class HistoryStore implements AutoCloseable {
    /** How long a writer waits for another process's write to end. */
    static final int BUSY_MS = 5_000;
    /** The runs kept by default: a run is about 1 kB, so some 20 MB at most. */
    public static final int DEFAULT_MAX_RUNS = 20_000;
    /** The schema's version, kept in SQLite's user_version: 0 is a new file. */
    private static final int SCHEMA = 1;
    private static final String COLUMNS = "id, target, playbook, started, duration_ms, cause, confidence, healthy, worked, summary, origin, facts, metrics";

    private final Connection db;
    private final Path file;
    private final int maxRuns;

    private HistoryStore(Connection db, Path file, int maxRuns) {
        this.db = db;
        this.file = file;
        this.maxRuns = maxRuns;
    }

    /** Opens (creating it and its directory, readable by the owner alone) the history at {@code file}. */
    public static HistoryStore open(Path file, int maxRuns) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: its defaults stand
            }
        }
        NativeLibrary.point();
        try {
            // the driver itself, not DriverManager: that would first look for drivers in every jar of the class path
            org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
            config.setBusyTimeout(BUSY_MS);
            config.setSynchronous(org.sqlite.SQLiteConfig.SynchronousMode.NORMAL);
            Connection c = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + file, config.toProperties());
            try (Statement s = c.createStatement()) {
                int version;
                try (ResultSet r = s.executeQuery("PRAGMA user_version")) {
                    version = r.next() ? r.getInt(1) : 0;
                }
                if (version < SCHEMA) {   // made once: a start that finds it made writes nothing before its run
                    s.execute("PRAGMA journal_mode = WAL");   // kept in the file from then on
                    s.execute("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, "
                            + "playbook TEXT NOT NULL, started INTEGER NOT NULL, duration_ms REAL NOT NULL, cause TEXT NOT NULL, "
                            + "confidence TEXT NOT NULL, healthy INTEGER NOT NULL, worked INTEGER NOT NULL, summary TEXT NOT NULL, origin TEXT NOT NULL, "
                            + "facts TEXT NOT NULL, metrics TEXT NOT NULL)");
                    s.execute("CREATE INDEX IF NOT EXISTS runs_by_target ON runs (target, id)");
                    s.execute("PRAGMA user_version = " + SCHEMA);
                }
            }
            return new HistoryStore(c, file, maxRuns);
        } catch (SQLException e) {
            throw new IOException("cannot open the history " + file + ": " + e.getMessage(), e);
        }
    }

    /** Where the history is. */
    public Path file() {
        return file;
    }

    /** Records a run and returns it with its number; every 100th run the oldest past the bound are pruned. */
    public synchronized RunRecord record(RunRecord r) throws IOException {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO runs (target, playbook, started, duration_ms, cause, "
                + "confidence, healthy, worked, summary, origin, facts, metrics) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
            p.setString(1, r.target());
            p.setString(2, r.playbook());
            p.setLong(3, r.started().toEpochMilli());
            p.setDouble(4, r.durationMs());
            p.setString(5, r.cause());
            p.setString(6, r.confidence());
            p.setInt(7, r.healthy() ? 1 : 0);
            p.setInt(8, r.worked() ? 1 : 0);
            p.setString(9, r.summary());
            p.setString(10, r.origin());
            p.setString(11, FlatJson.write(r.facts()));
            p.setString(12, FlatJson.write(r.metrics()));
            p.executeUpdate();
            long id;
            try (ResultSet keys = p.getGeneratedKeys()) {
                id = keys.next() ? keys.getLong(1) : 0;
            }
            if (id % 100 == 0) prune();
            return r.withId(id);
        } catch (SQLException e) {
            throw new IOException("cannot record the run in " + file + ": " + e.getMessage(), e);
        }
    }

    private void prune() throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM runs WHERE id <= (SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?)")) {
            p.setInt(1, maxRuns);
            p.executeUpdate();
        }
    }

    /**
     * Runs, newest last: of {@code target} (null: all), started at or after {@code since} (null: any time), at most
     * {@code limit} (the newest ones).
     */
    public synchronized List<RunRecord> runs(String target, Instant since, int limit) throws IOException {
        String where = (target != null ? " AND target = ?" : "") + (since != null ? " AND started >= ?" : "");
        try (PreparedStatement p = db.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE 1=1" + where + " ORDER BY id DESC LIMIT ?")) {
            int i = 1;
            if (target != null) p.setString(i++, target);
            if (since != null) p.setLong(i++, since.toEpochMilli());
            p.setInt(i, limit);
            List<RunRecord> out = read(p);
            return out.reversed();
        } catch (SQLException e) {
            throw new IOException("cannot read the history " + file + ": " + e.getMessage(), e);
        }
    }

    /** Run number {@code id}. */
    public synchronized Optional<RunRecord> run(long id) throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE id = ?")) {
            p.setLong(1, id);
            return read(p).stream().findFirst();
        } catch (SQLException e) {
            throw new IOException("cannot read the history " + file + ": " + e.getMessage(), e);
        }
    }

    /** The last run of {@code target} by {@code playbook} that worked, before run {@code before} (0: the newest). */
    public synchronized Optional<RunRecord> lastWorked(String target, String playbook, long before) throws IOException {
        return worked(target, playbook, before, 1).stream().findFirst();
    }

    /**
     * Up to {@code limit} runs of {@code target} by {@code playbook} that worked ({@link RunRecord#worked}), before run
     * {@code before} (0: any), newest first.
     */
    public synchronized List<RunRecord> worked(String target, String playbook, long before, int limit) throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE target = ? AND playbook = ? "
                + "AND worked = 1 AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?")) {
            p.setString(1, target);
            p.setString(2, playbook);
            p.setLong(3, before);
            p.setLong(4, before);
            p.setInt(5, limit);
            return read(p);
        } catch (SQLException e) {
            throw new IOException("cannot read the history " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether SQLite finds the database whole ({@code PRAGMA integrity_check}). */
    public synchronized boolean intact() throws IOException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
            return r.next() && "ok".equals(r.getString(1));
        } catch (SQLException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static List<RunRecord> read(PreparedStatement p) throws SQLException {
        List<RunRecord> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                out.add(new RunRecord(r.getLong(1), r.getString(2), r.getString(3), Instant.ofEpochMilli(r.getLong(4)),
                        r.getDouble(5), r.getString(6), r.getString(7), r.getInt(8) == 1, r.getInt(9) == 1, r.getString(10),
                        r.getString(11), texts(r.getString(12)), numbers(r.getString(13))));
            }
        }
        return out;
    }

    private static Map<String, String> texts(String json) throws SQLException {
        try {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            FlatJson.read(json).forEach((k, v) -> m.put(k, String.valueOf(v)));
            return m;
        } catch (IllegalArgumentException e) {
            throw new SQLException("a run's facts are not a JSON object of texts: " + e.getMessage(), e);
        }
    }

    private static Map<String, Double> numbers(String json) throws SQLException {
        try {
            Map<String, Double> m = new java.util.LinkedHashMap<>();
            FlatJson.read(json).forEach((k, v) -> {
                if (v instanceof Double d) m.put(k, d);
            });
            return m;
        } catch (IllegalArgumentException e) {
            throw new SQLException("a run's figures are not a JSON object of numbers: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing: nothing left to do with it
        }
    }
}
