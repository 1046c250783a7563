package dev.reach.plugins.host;

import dev.reach.plugins.host.LogLines.Scan;
import dev.reach.spi.Failures;
import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Searches the journal, or a log file, for the lines that explain connection failures (conntrack table
 * full, OOM kills, link down, SYN flooding, too many open files, ...) within a time window, counts them
 * per pattern and quotes them. Reads at most the last 8 MiB of a file, or the last 50000 journal lines.
 *
 * <pre>
 * $ reach probe logs.scan file=/var/log/syslog since=2h
 * warn [conntrack.full]: 14 matching lines in the last 2h, most "nf_conntrack: table full" (12)
 *   Nov 25 17:40:01 gw kernel: nf_conntrack: table full, dropping packet
 * </pre>
 */
@Extension
public final class LogsScanProbe implements Probe {
    private static final long MAX_BYTES = 8L << 20;
    /** Known messages and what they mean; the order decides ties. */
    static final Map<String, String> KNOWN = knownPatterns();

    static final ProbeSpec SPEC = ProbeSpec.builder("logs.scan", "Searches the journal or a log file for lines that explain a failure")
            .param(Param.file("file", "log file to search (default: the systemd journal)"))
            .param(Param.list("pattern", "regular expressions to look for (default: known failure messages)"))
            .param(Param.duration("since", "how far back to look").defaultValue("1h").range("1m", "720h"))
            .param(Param.integer("lines", "matching lines to quote").defaultValue(10).range(1, 200))
            .param(Param.integer("count", "matching lines to quote").range(1, 200).deprecated("lines=N"))
            .fact("source", "string", "the file searched, or journal")
            .fact("matches", "integer", "matching lines in the window")
            .fact("by_pattern", "map", "matching lines per pattern")
            .fact("lines_searched", "integer", "lines inside the window")
            .needs(Needs.NOTHING)
            .example("reach probe logs.scan since=30m")
            .example("reach probe logs.scan file=/var/log/syslog pattern='Connection refused,timed out'")
            .about("Counts and quotes journal or log-file lines matching known failure messages in a time window.")
            .causes("arp.conflict", "conntrack.full", "fd.exhausted", "link.down", "listen.overflow", "ports.exhausted",
                    "resources.pressure")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        List<Pattern> patterns;
        try {
            patterns = (params.has("pattern") ? params.list("pattern") : List.copyOf(KNOWN.keySet())).stream().map(Pattern::compile).toList();
        } catch (PatternSyntaxException e) {
            return Observation.error("pattern is not a regular expression: " + e.getDescription() + " in '" + e.getPattern() + "'").build();
        }
        Duration since = params.duration("since");
        Instant from = Instant.now().minus(since);
        List<String> lines;
        String source;
        if (params.has("file")) {
            source = params.string("file");
            try {
                lines = tail(Path.of(source));
            } catch (IOException | RuntimeException e) {
                return Observation.error("cannot read file (" + Failures.text(e) + ")").fact("source", source).build();
            }
        } else {
            source = "journal";
            if (ctx.privileges().tool("journalctl").isEmpty()) {
                return Observation.skipped("no journalctl here: give file=/var/log/syslog (or another log)").build();
            }
            Exec j = Exec.run(ctx, Duration.ofSeconds(20), "journalctl", "--no-pager", "-o", "short-iso", "-n", "50000",
                    "--since=@" + from.getEpochSecond());
            if (!j.ok() || j.out().lines().allMatch(l -> l.startsWith("-- "))) {
                return Observation.skipped("the journal cannot be read (" + j.why() + "): give file=/var/log/syslog (or another log)").build();
            }
            lines = j.out().lines().filter(l -> !l.startsWith("-- ")).toList();
        }
        Scan scan;
        try {
            scan = LogLines.scan(lines, patterns, from, ZoneId.systemDefault(),
                    (int) (params.has("count") ? params.integer("count") : params.integer("lines")),
                    () -> ctx.cancelled() || Thread.currentThread().isInterrupted());
        } catch (DeadlineText.Stopped e) {
            return Observation.error("the search did not finish in the step's time: a pattern may backtrack without end on a"
                    + " line (nested repeats such as (a+)+); simplify it").fact("source", source).build();
        }
        Judgement c = classify(scan, since);
        Observation.Builder b = c.observation().fact("source", source)
                .fact("matches", scan.total()).fact("by_pattern", scan.counts()).fact("lines_searched", scan.inWindow());
        if (!scan.timed()) {
            b.evidence("the lines carry no timestamp this probe reads: the whole tail of " + source + " was searched");
        }
        scan.quoted().forEach(b::evidence);
        return b.build();
    }

    /** No match is OK; matches warn, with the cause of the most frequent known message. Pure. */
    static Judgement classify(Scan scan, Duration since) {
        String window = "in the last " + ParamType.format(since);
        if (scan.total() == 0) {
            return new Judgement(Status.OK, null, "no line matches " + window + " (" + scan.inWindow() + " lines searched)");
        }
        var top = scan.counts().entrySet().stream().filter(e -> e.getValue() > 0)
                .max(Map.Entry.comparingByValue()).orElseThrow();
        String cause = scan.counts().entrySet().stream().filter(e -> e.getValue() > 0 && KNOWN.get(e.getKey()) != null
                        && !KNOWN.get(e.getKey()).isEmpty())
                .max(Map.Entry.comparingByValue()).map(e -> KNOWN.get(e.getKey())).orElse(null);
        return new Judgement(Status.WARN, cause, scan.total() + " matching line(s) " + window + ", most \"" + top.getKey() + "\" ("
                + top.getValue() + ")");
    }

    /** The last 8 MiB of the file as lines; a first partial line is dropped. */
    private static List<String> tail(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new IOException("not a regular file");
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            long start = Math.max(0, f.length() - MAX_BYTES);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            List<String> lines = new String(buf, StandardCharsets.UTF_8).lines().toList();
            return start > 0 && !lines.isEmpty() ? lines.subList(1, lines.size()) : lines;
        }
    }

    private static Map<String, String> knownPatterns() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("nf_conntrack: table full", "conntrack.full");
        m.put("(?i)out of memory|oom-kill|killed process", "resources.pressure");
        m.put("(?i)no space left on device", "resources.pressure");
        m.put("(?i)too many open files", "fd.exhausted");
        m.put("(?i)possible SYN flooding", "listen.overflow");
        m.put("(?i)link is down|carrier lost|NIC Link is Down", "link.down");
        m.put("(?i)cannot assign requested address", "ports.exhausted");
        m.put("(?i)duplicate address|arp.*conflict", "arp.conflict");
        m.put("(?i)connection refused", "");
        m.put("(?i)connection timed out", "");
        m.put("(?i)address already in use", "");
        return java.util.Collections.unmodifiableMap(m);
    }
}
