package dev.reach.plugins.dns;

import dev.reach.spi.Failures;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the hosts file says about a name, read as glibc reads it: every line that names it, in order, and whether
 * two lines disagree. glibc answers with the first line of a family and stops, so a second line with another
 * address is never used: a stale copy left above a new one is the classic case.
 *
 * <pre>
 * $ reach probe dns.hosts name=web.lab.test hosts_file=/tmp/lab/hosts
 * fail [dns.mismatch]: /tmp/lab/hosts gives web.lab.test two IPv4 addresses: 198.18.0.50 (line 1) is used, 198.18.0.10 (line 3) never is
 * </pre>
 */
@Extension
public final class DnsHostsProbe implements Probe {
    static final ProbeSpec SPEC = ProbeSpec.builder("dns.hosts", "Reads what the hosts file says about a name, and whether its lines disagree")
            .param(Param.string("name", "the name to look up").required())
            .param(Param.file("hosts_file", "the hosts file to read").defaultValue("/etc/hosts"))
            .fact("addresses", "list", "the addresses the file gives the name, in file order")
            .fact("lines", "list", "'address (line N)' for every line that names it")
            .fact("used", "list", "what the system resolver takes from the file: the first address of each family")
            .example("reach probe dns.hosts name=localhost")
            .example("reach probe dns.hosts name=web.lab.test hosts_file=/tmp/lab/hosts")
            .about("Reads every line of the hosts file that names the name, as glibc does, and says which address the "
                    + "system takes from it (the first of each family): two lines of one family with different addresses "
                    + "are `dns.mismatch` (the later one is never used: a stale copy above a new one); no line is ok, "
                    + "with nothing to say.")
            .causes("dns.mismatch")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        Path file = Path.of(params.string("hosts_file"));
        HostsFile hosts;
        try {
            hosts = HostsFile.read(file);
        } catch (IOException e) {
            return Observation.error("cannot read hosts_file (" + Failures.text(e) + ")").build();
        }
        String name = params.string("name").strip();
        List<HostsFile.Entry> lines = hosts.lookup(name);
        Observation.Builder b = classify(name, file.toString(), lines);
        lines.forEach(e -> b.evidence(file + " line " + e.line() + ": " + e.address() + " " + name));
        hosts.problems().forEach(b::evidence);
        return b.fact("addresses", List.copyOf(new LinkedHashSet<>(lines.stream().map(HostsFile.Entry::address).toList())))
                .fact("lines", lines.stream().map(e -> e.address() + " (line " + e.line() + ")").toList())
                .fact("used", used(lines).stream().map(HostsFile.Entry::address).toList())
                .build();
    }

    /** Judges the lines for the name. Pure. */
    static Observation.Builder classify(String name, String file, List<HostsFile.Entry> lines) {
        if (lines.isEmpty()) {
            return Observation.ok(file + " has no line for " + name + ": the system resolver asks the next source (DNS)");
        }
        for (HostsFile.Entry first : used(lines)) {
            for (HostsFile.Entry other : lines) {
                if (family(other) == family(first) && !other.address().equals(first.address())) {
                    return Observation.of(Status.FAIL, file + " gives " + name + " two " + (family(first) == 4 ? "IPv4" : "IPv6")
                            + " addresses: " + first.address() + " (line " + first.line() + ") is used, " + other.address()
                            + " (line " + other.line() + ") never is").cause("dns.mismatch");
                }
            }
        }
        return Observation.ok(file + " says " + name + " is " + String.join(", ", used(lines).stream()
                .map(e -> e.address() + " (line " + e.line() + ")").toList()));
    }

    /** The first line of each family: what glibc's files source answers with. */
    static List<HostsFile.Entry> used(List<HostsFile.Entry> lines) {
        Set<Integer> seen = new LinkedHashSet<>();
        return lines.stream().filter(e -> seen.add(family(e))).toList();
    }

    private static int family(HostsFile.Entry e) {
        return e.address().contains(":") ? 6 : 4;
    }
}
