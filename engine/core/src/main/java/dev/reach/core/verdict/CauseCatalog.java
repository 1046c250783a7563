package dev.reach.core.verdict;

import dev.reach.spi.Observation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fault catalogue (FAULTS.md) as data: every cause code a verdict may name, with the section it belongs
 * to, the side its evidence comes from, the evidence that proves it and what the verdict must say. Read from
 * {@code causes.tsv} beside this class, the copy of FAULTS.md's tables, plus reach's own {@link #INCONCLUSIVE}.
 *
 * <pre>{@code
 * CauseCatalog causes = CauseCatalog.load();
 * causes.find("tcp.refused").map(Cause::says)   // "nothing listens on that port, or a REJECT with tcp-reset; ..."
 * }</pre>
 */
public final class CauseCatalog {
    /** The verdict when the checks that would decide could not run; reach's own, not in FAULTS.md. */
    public static final String INCONCLUSIVE = dev.reach.core.run.Verdicts.INCONCLUSIVE;

    static final String RESOURCE = "causes.tsv";
    /** reach's fix for each catalogue cause, beside {@link #RESOURCE}: code, fix. */
    static final String FIXES = "fixes.tsv";
    private static final String OK = dev.reach.core.run.Verdict.OK;
    /**
     * The table a plugin jar may carry at its root to add cause codes of its own: one cause a line, four
     * tab-separated columns (code, side, evidence, says), {@code #} comments. Playbooks may then branch on
     * and conclude with those codes.
     */
    public static final String PLUGIN_RESOURCE = "reach-causes.tsv";
    private static final String FROM_FAULTS = "FAULTS.md";
    private static final String FROM_REACH = "reach";

    /**
     * One cause code and what FAULTS.md says about it.
     *
     * @param code     dotted lower-case, e.g. {@code tcp.refused}
     * @param section  the FAULTS.md section, e.g. {@code Transport (L4)}
     * @param side     where the evidence can be gathered: {@code A}, {@code B}, {@code path}, or a mix like {@code A/path}
     * @param evidence what proves it
     * @param says     what the verdict must tell the user
     * @param reachOwn true for reach's own pseudo-causes ({@link #INCONCLUSIVE}), which FAULTS.md does not list
     * @param plugin   the id of the plugin whose {@link #PLUGIN_RESOURCE} declared it; empty for the catalogue's
     * @param fix      the fix a verdict gives when no playbook wrote one: a command or setting, with {@code {host}},
     *                 {@code {port}}, {@code {name}} for the failing step's parameters; empty when none is known
     */
    public record Cause(String code, String section, String side, String evidence, String says, boolean reachOwn,
                        String plugin, String fix) {
        /** The fix, else what the verdict says (a plugin's cause without a fix column). */
        public String fixOrSays() {
            return fix.isEmpty() ? says : fix;
        }
    }

    private final Map<String, Cause> byCode;

    private CauseCatalog(Map<String, Cause> byCode) {
        this.byCode = byCode;
    }

    /** Reads the catalogue shipped with reach; a broken resource is a packaging bug and throws. */
    public static CauseCatalog load() {
        return parse(resource(RESOURCE), resource(FIXES));
    }

    private static List<String> resource(String name) {
        try (InputStream in = CauseCatalog.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the class path beside " + CauseCatalog.class.getName());
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** Parses tsv lines, each code's fix from {@code fixLines} (code, fix): every cause but ok needs one. */
    static CauseCatalog parse(List<String> lines, List<String> fixLines) {
        Map<String, String> fixes = new LinkedHashMap<>();
        for (int i = 0; i < fixLines.size(); i++) {
            String line = fixLines.get(i);
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] cols = line.split("\t", -1);
            if (cols.length != 2 || cols[1].isBlank() || fixes.putIfAbsent(cols[0], cols[1]) != null) {
                throw new IllegalStateException(FIXES + ":" + (i + 1) + ": expected one row per code: code, fix");
            }
        }
        CauseCatalog catalog = parse(lines);
        Map<String, Cause> byCode = new LinkedHashMap<>();
        for (Cause c : catalog.byCode.values()) {
            String fix = fixes.remove(c.code());
            if (fix == null && !c.code().equals(OK)) throw new IllegalStateException(FIXES + " has no fix for " + c.code());
            byCode.put(c.code(), new Cause(c.code(), c.section(), c.side(), c.evidence(), c.says(), c.reachOwn(), "",
                    fix == null ? "" : fix));
        }
        if (!fixes.isEmpty()) throw new IllegalStateException(FIXES + " has fixes for causes the catalogue lacks: " + fixes.keySet());
        return new CauseCatalog(byCode);
    }

    /** Parses tsv lines: {@code #} comments and blank lines are skipped; any other line must be a full row. */
    static CauseCatalog parse(List<String> lines) {
        Map<String, Cause> byCode = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String where = RESOURCE + ":" + (i + 1) + ": ";
            String[] cols = line.split("\t", -1);
            if (cols.length != 6) {
                throw new IllegalStateException(where + "expected 6 tab-separated columns "
                        + "(code, section, side, evidence, says, origin), got " + cols.length);
            }
            if (!Observation.CAUSE.matcher(cols[0]).matches()) {
                throw new IllegalStateException(where + "cause '" + cols[0] + "' is not dotted lower-case");
            }
            if (!cols[5].equals(FROM_FAULTS) && !cols[5].equals(FROM_REACH)) {
                throw new IllegalStateException(where + "origin '" + cols[5] + "' (allowed: " + FROM_FAULTS + ", " + FROM_REACH + ")");
            }
            var cause = new Cause(cols[0], cols[1], cols[2], cols[3], cols[4], cols[5].equals(FROM_REACH), "", "");
            if (byCode.putIfAbsent(cause.code(), cause) != null) {
                throw new IllegalStateException(where + "cause '" + cause.code() + "' is listed twice");
            }
        }
        return new CauseCatalog(byCode);
    }

    /**
     * A plugin's own causes from its {@link #PLUGIN_RESOURCE} lines, section {@code plugin ID}; a line that is
     * not a full row or names a bad code goes to {@code problems} (as {@code reach-causes.tsv:LINE: ...}) and is left out.
     */
    public static List<Cause> parsePlugin(String pluginId, List<String> lines, List<String> problems) {
        Map<String, Cause> own = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String where = PLUGIN_RESOURCE + ":" + (i + 1) + ": ";
            String[] cols = line.split("\t", -1);
            if (cols.length < 4 || cols.length > 5 || cols[3].isBlank()) {
                problems.add(where + "expected 4 or 5 tab-separated columns (code, side, evidence, says[, fix]), got " + cols.length
                        + (cols.length == 4 || cols.length == 5 ? " with nothing to say" : ""));
            } else if (!Observation.CAUSE.matcher(cols[0]).matches()) {
                problems.add(where + "cause '" + cols[0] + "' is not dotted lower-case like redis.auth-required");
            } else if (own.putIfAbsent(cols[0], new Cause(cols[0], "plugin " + pluginId, cols[1], cols[2], cols[3], false, pluginId,
                    cols.length == 5 ? cols[4].strip() : "")) != null) {
                problems.add(where + "cause '" + cols[0] + "' is listed twice");
            }
        }
        return List.copyOf(own.values());
    }

    /**
     * This catalogue and the plugins' causes; one whose code is taken (by the catalogue or an earlier plugin)
     * goes to {@code refused} with the reason and is left out: a plugin cannot change what a code means.
     */
    public CauseCatalog with(List<Cause> extra, java.util.function.BiConsumer<Cause, String> refused) {
        Map<String, Cause> all = new LinkedHashMap<>(byCode);
        for (Cause c : extra) {
            Cause had = all.putIfAbsent(c.code(), c);
            if (had != null) {
                refused.accept(c, c.section() + " declares cause '" + c.code() + "', which "
                        + (had.plugin().isEmpty() ? "the catalogue" : had.section()) + " already has; it is left out");
            }
        }
        return new CauseCatalog(all);
    }

    public Optional<Cause> find(String code) {
        return Optional.ofNullable(byCode.get(code));
    }

    public boolean contains(String code) {
        return byCode.containsKey(code);
    }

    /** All codes, in catalogue order (FAULTS.md's, then reach's own). */
    public List<String> codes() {
        return List.copyOf(byCode.keySet());
    }

    /** All causes, in catalogue order. */
    public List<Cause> causes() {
        return List.copyOf(byCode.values());
    }
}
