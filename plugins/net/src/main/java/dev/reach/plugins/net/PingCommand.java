package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fallback of {@link IcmpPingProbe} where the kernel refuses this process an ICMP socket: the system's
 * iputils {@code ping} (setuid or file-capable) run with the same settings, its output read back into
 * {@link EchoStats}.
 */
final class PingCommand {
    private static final Pattern REPLY = Pattern.compile("from \\S+?:? icmp_seq=(\\d+) ttl=(\\d+) time=([\\d.]+) ms");
    private static final Pattern ERROR = Pattern.compile("^From (\\S+?)(?: \\(\\S+\\))? icmp_seq=(\\d+) (.+)$");
    private static final Pattern MTU = Pattern.compile("mtu ?= ?(\\d+)");

    private PingCommand() {
    }

    static List<String> command(Path ping, InetAddress target, int count, Duration interval, int size, boolean df, Duration timeout) {
        return List.of(ping.toString(), "-n", target instanceof java.net.Inet6Address ? "-6" : "-4",
                "-c", String.valueOf(count), "-i", seconds(interval), "-s", String.valueOf(size),
                "-W", seconds(timeout), "-M", df ? "do" : "dont", Addresses.text(target));
    }

    /**
     * Runs it, killed by PID if it outlives {@code limit}; the output (in a temp file, so a long run cannot
     * fill a pipe) is parsed even then. Null when ping itself could not open its socket (no privilege).
     */
    static EchoStats run(List<String> command, int count, Duration limit) throws IOException, InterruptedException {
        Path out = java.nio.file.Files.createTempFile("reach-ping-", ".txt");
        Process p = null;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
            String text = java.nio.file.Files.readString(out, StandardCharsets.UTF_8);
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.contains("operation not permitted") || lower.contains("permission denied") || lower.contains("socket: ")) {
                return null;
            }
            return parse(text, count);
        } finally {
            if (p != null) p.destroyForcibly();
            java.nio.file.Files.deleteIfExists(out);
        }
    }

    /** Reads iputils ping output: replies, ICMP errors ("From X icmp_seq=N Destination ..."), one per sequence. */
    static EchoStats parse(String output, int count) {
        List<Double> rtts = new ArrayList<>();
        List<Integer> ttls = new ArrayList<>();
        List<IcmpError> errors = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        List<Integer> answered = new ArrayList<>();
        for (String line : output.lines().toList()) {
            Matcher r = REPLY.matcher(line);
            if (r.find()) {
                if (seen.add(Integer.parseInt(r.group(1)))) {
                    rtts.add(Double.parseDouble(r.group(3)));
                    ttls.add(Integer.parseInt(r.group(2)));
                    answered.add(Integer.parseInt(r.group(1)) - 1);   // ping counts from 1
                }
                continue;
            }
            Matcher e = ERROR.matcher(line.strip());
            if (e.matches() && seen.add(Integer.parseInt(e.group(2)))) {
                errors.add(error(e.group(1), e.group(3)));
            }
        }
        return new EchoStats("system", count, rtts, ttls, errors, answered);
    }

    /** Maps ping's words back to the ICMP type/code it printed them for. */
    static IcmpError error(String from, String words) {
        String w = words.toLowerCase(Locale.ROOT);
        boolean v6 = from.contains(":");
        int[] tc;
        if (w.contains("time to live exceeded") || w.contains("time exceeded")) tc = v6 ? new int[] {3, 0} : new int[] {11, 0};
        else if (w.contains("frag needed") || w.contains("packet too big")) tc = v6 ? new int[] {2, 0} : new int[] {3, 4};
        else if (w.contains("packet filtered") || w.contains("administratively prohibited")) tc = v6 ? new int[] {1, 1} : new int[] {3, 13};
        else if (w.contains("host prohibited")) tc = new int[] {3, 10};
        else if (w.contains("net prohibited")) tc = new int[] {3, 9};
        else if (w.contains("port unreachable")) tc = v6 ? new int[] {1, 4} : new int[] {3, 3};
        else if (w.contains("host unreachable") || w.contains("address unreachable")) tc = v6 ? new int[] {1, 3} : new int[] {3, 1};
        else if (w.contains("net unreachable") || w.contains("no route")) tc = v6 ? new int[] {1, 0} : new int[] {3, 0};
        else tc = new int[] {255, 255};
        Matcher m = MTU.matcher(w);
        long info = m.find() ? Long.parseLong(m.group(1)) : 0;
        InetAddress sender;
        try {
            sender = InetAddress.ofLiteral(from);
        } catch (IllegalArgumentException ex) {
            sender = null;
        }
        return IcmpError.icmp(v6, tc[0], tc[1], info, sender);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }
}
