package dev.reach.plugins.host;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Searches log lines for patterns inside a time window. Understands the leading timestamps of syslog
 * ({@code Nov 25 17:42:00}), ISO 8601 ({@code 2026-11-25T17:42:00+0000}, journalctl -o short-iso) and
 * {@code 2026-11-25 17:42:00}; a line without one belongs to the line before it.
 */
final class LogLines {
    private static final Pattern ISO = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}:\\d{2})(?:[.,]\\d+)?(Z|[+-]\\d{2}:?\\d{2})?");
    private static final Pattern SYSLOG = Pattern.compile("^([A-Z][a-z]{2}) +(\\d{1,2}) (\\d{2}:\\d{2}:\\d{2})");
    private static final DateTimeFormatter SYSLOG_FMT = DateTimeFormatter.ofPattern("yyyy MMM d HH:mm:ss", Locale.ENGLISH);

    private LogLines() {
    }

    /** What a scan found: counts per pattern, the matching lines (up to the quota), lines read, and whether any line had a time. */
    record Scan(Map<String, Integer> counts, List<String> quoted, int inWindow, boolean timed) {
        int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    static Scan scan(List<String> lines, List<Pattern> patterns, Instant since, ZoneId zone, int quota) {
        return scan(lines, patterns, since, zone, quota, () -> false);
    }

    /**
     * Scans until {@code stop} says so: every match reads its line through {@link DeadlineText}, so even a pattern that
     * backtracks without end gives up.
     *
     * @throws DeadlineText.Stopped when told to stop
     */
    static Scan scan(List<String> lines, List<Pattern> patterns, Instant since, ZoneId zone, int quota, BooleanSupplier stop) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        patterns.forEach(p -> counts.put(p.pattern(), 0));
        List<String> quoted = new ArrayList<>();
        boolean timed = false;
        boolean inside = true; // until a timestamp says otherwise
        int inWindow = 0;
        for (String line : lines) {
            Optional<Instant> t = time(line, zone);
            if (t.isPresent()) {
                timed = true;
                inside = !t.get().isBefore(since);
            }
            if (!inside) {
                continue;
            }
            inWindow++;
            for (Pattern p : patterns) {
                if (p.matcher(new DeadlineText(line, stop)).find()) {
                    counts.merge(p.pattern(), 1, Integer::sum);
                    if (quoted.size() < quota) {
                        quoted.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                    }
                    break;
                }
            }
        }
        return new Scan(counts, quoted, inWindow, timed);
    }

    /** The line's leading timestamp; syslog lines (no year) are taken as this year, or last year if that would be in the future. */
    static Optional<Instant> time(String line, ZoneId zone) {
        try {
            Matcher iso = ISO.matcher(line);
            if (iso.find()) {
                LocalDateTime ldt = LocalDateTime.parse(iso.group(1) + "T" + iso.group(2));
                String off = iso.group(3);
                if (off == null) {
                    return Optional.of(ldt.atZone(zone).toInstant());
                }
                String norm = off.equals("Z") ? "Z" : off.length() == 5 ? off.substring(0, 3) + ":" + off.substring(3) : off;
                return Optional.of(OffsetDateTime.parse(ldt + norm).toInstant());
            }
            Matcher s = SYSLOG.matcher(line);
            if (s.find()) {
                int year = Year.now(zone).getValue();
                Instant t = LocalDateTime.parse(year + " " + s.group(1) + " " + s.group(2) + " " + s.group(3), SYSLOG_FMT).atZone(zone).toInstant();
                if (t.isAfter(Instant.now().plusSeconds(86_400))) {
                    t = LocalDateTime.parse((year - 1) + " " + s.group(1) + " " + s.group(2) + " " + s.group(3), SYSLOG_FMT).atZone(zone).toInstant();
                }
                return Optional.of(t);
            }
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
