package dev.reach.plugins.host;

import dev.reach.plugins.host.ProcResources.Mount;
import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks what a host can run out of: CPU (load per core), memory and swap, disk space and inodes per
 * mount, open files system-wide and per process against its limit, and OOM kills since boot.
 *
 * <pre>
 * $ reach probe resources.check
 * fail [fd.exhausted]: python3 (pid 4242) holds 60 of its 64 open files (94%): new connections fail with EMFILE; ...
 * </pre>
 */
@Extension
public final class ResourcesCheckProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("resources.check", "Finds what the host runs out of: CPU, memory, disk, inodes, open files")
            .fact("load1", "number", "1-minute load average")
            .fact("cpus", "integer", "processors available")
            .fact("mem_available_pct", "number", "MemAvailable as a percentage of MemTotal")
            .fact("swap_used_pct", "number", "swap in use, percent (absent without swap)")
            .fact("disks", "list", "mount: space and inode use, percent")
            .fact("files_open", "integer", "file handles allocated system-wide (file-nr)")
            .fact("files_max", "integer", "fs.file-max")
            .fact("fd_top", "list", "processes closest to their open-file limit")
            .fact("oom_kills", "integer", "processes the OOM killer killed since boot (vmstat oom_kill)")
            .fact("findings", "list", "each limit that is reached or near")
            .needs(Needs.NOTHING.withNote("all processes: root"))
            .example("reach probe resources.check")
            .about("Load, memory, swap, disk space and inodes, open files vs limits, OOM kills (`resources.pressure`, "
                    + "`fd.exhausted`).")
            .causes("fd.exhausted", "resources.pressure")
            .build();

    /** One limit reached or near: the cause, whether it already breaks things, and the words. */
    record Finding(String cause, boolean severe, String text) {
    }

    /** A process's open files against its soft limit. */
    record Fds(long pid, String command, long open, long limit) {
        int pct() {
            return limit > 0 ? (int) (open * 100 / limit) : 0;
        }

        String text() {
            return command + " (pid " + pid + ") holds " + open + " of its " + limit + " open files (" + pct() + "%)";
        }
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        List<Finding> findings = new ArrayList<>();
        List<String> evidence = new ArrayList<>();
        int cpus = Runtime.getRuntime().availableProcessors();
        double load1 = ProcResources.load1(SysClassNet.value(Path.of("/proc/loadavg")));
        Map<String, Long> mem = ProcResources.keyValues(SysClassNet.value(Path.of("/proc/meminfo")));
        long oom = ProcResources.keyValues(SysClassNet.value(Path.of("/proc/vmstat"))).getOrDefault("oom_kill", -1L);
        long[] fileNr = ProcResources.fileNr(SysClassNet.value(Path.of("/proc/sys/fs/file-nr")));
        List<String> disks = new ArrayList<>();
        if (ctx.privileges().tool("df").isPresent()) {
            List<Mount> space = ProcResources.df(Exec.run(ctx, Duration.ofSeconds(5), "df", "-P", "-k", "-x", "tmpfs", "-x", "devtmpfs", "-x", "squashfs").out());
            List<Mount> inodes = ProcResources.df(Exec.run(ctx, Duration.ofSeconds(5), "df", "-P", "-i", "-x", "tmpfs", "-x", "devtmpfs", "-x", "squashfs").out());
            for (Mount m : space) {
                int ipct = inodes.stream().filter(i -> i.mount().equals(m.mount())).mapToInt(Mount::usedPct).findFirst().orElse(-1);
                disks.add(m.mount() + " space " + m.usedPct() + "% inodes " + (ipct < 0 ? "n/a" : ipct + "%"));
                findings.addAll(disk(m.mount(), m.usedPct(), ipct));
            }
        }
        List<Fds> top = fds(Path.of("/proc"));
        findings.addAll(judge(load1, cpus, mem, oom, fileNr, top));
        evidence.add(String.format(Locale.ROOT, "load %.2f on %d cpus; MemAvailable %d of %d kB; swap free %d of %d kB",
                load1, cpus, mem.getOrDefault("MemAvailable", -1L), mem.getOrDefault("MemTotal", -1L),
                mem.getOrDefault("SwapFree", 0L), mem.getOrDefault("SwapTotal", 0L)));
        disks.forEach(d -> evidence.add("disk " + d));
        if (fileNr.length == 3) {
            evidence.add("file handles " + fileNr[0] + " of " + fileNr[2]);
        }
        top.stream().limit(3).forEach(f -> evidence.add("open files: " + f.text()));
        if (!ctx.privileges().root()) {
            evidence.add("not root: only this user's processes were checked for open files");
        }
        Judgement c = classify(findings);
        Observation.Builder b = c.observation().fact("load1", load1).fact("cpus", cpus)
                .fact("mem_available_pct", pct(mem.get("MemAvailable"), mem.get("MemTotal")))
                .fact("swap_used_pct", mem.getOrDefault("SwapTotal", 0L) > 0 ? pct(mem.get("SwapTotal") - mem.getOrDefault("SwapFree", 0L), mem.get("SwapTotal")) : null)
                .fact("disks", disks).fact("files_open", fileNr.length == 3 ? fileNr[0] : null).fact("files_max", fileNr.length == 3 ? fileNr[2] : null)
                .fact("fd_top", top.stream().limit(3).map(Fds::text).toList()).fact("oom_kills", oom >= 0 ? oom : null)
                .fact("findings", findings.stream().map(Finding::text).toList());
        findings.forEach(f -> b.evidence(f.text()));
        evidence.forEach(b::evidence);
        return b.build();
    }

    /** Thresholds: load above 2 per CPU, memory under 10% (5% severe), swap over 80%, file handles or a process's fds at 90%. Pure. */
    static List<Finding> judge(double load1, int cpus, Map<String, Long> mem, long oomKills, long[] fileNr, List<Fds> fds) {
        List<Finding> out = new ArrayList<>();
        String p = "resources.pressure";
        if (load1 > 2.0 * cpus) {
            out.add(new Finding(p, false, String.format(Locale.ROOT, "load %.2f is over twice the %d CPUs: processes wait to run", load1, cpus)));
        }
        Double avail = pct(mem.get("MemAvailable"), mem.get("MemTotal"));
        if (avail != null && avail < 10) {
            out.add(new Finding(p, avail < 5, "only " + avail + "% of memory is available: allocations fail and the OOM killer is near"));
        }
        long swapTotal = mem.getOrDefault("SwapTotal", 0L);
        Double swap = swapTotal > 0 ? pct(swapTotal - mem.getOrDefault("SwapFree", 0L), swapTotal) : null;
        if (swap != null && swap > 80) {
            out.add(new Finding(p, false, swap + "% of swap is in use: the host is paging"));
        }
        if (oomKills > 0) {
            out.add(new Finding(p, false, "the OOM killer has killed " + oomKills + " process(es) since boot: see journalctl -k | grep -i 'killed process'"));
        }
        if (fileNr.length == 3 && fileNr[2] > 0 && fileNr[0] * 10 >= fileNr[2] * 9) {
            out.add(new Finding("fd.exhausted", true, "file handles " + fileNr[0] + " of fs.file-max " + fileNr[2] + ": raise fs.file-max"));
        }
        fds.stream().filter(f -> f.pct() >= 90).forEach(f -> out.add(new Finding("fd.exhausted", true, f.text()
                + ": new connections and files fail with EMFILE; raise its LimitNOFILE / ulimit -n, or find the leak")));
        return out;
    }

    static List<Finding> disk(String mount, int usedPct, int inodePct) {
        List<Finding> out = new ArrayList<>();
        if (usedPct >= 90) {
            out.add(new Finding("resources.pressure", usedPct >= 95, mount + " is " + usedPct + "% full: writes (logs, sockets files, databases) fail when it fills"));
        }
        if (inodePct >= 90) {
            out.add(new Finding("resources.pressure", inodePct >= 95, mount + " has used " + inodePct + "% of its inodes: no new file can be created"));
        }
        return out;
    }

    /** fd.exhausted first, then severe pressure; a near limit warns. Pure. */
    static Judgement classify(List<Finding> findings) {
        if (findings.isEmpty()) {
            return new Judgement(Status.OK, null, "no resource is near its limit");
        }
        Finding top = findings.stream().filter(f -> f.cause().equals("fd.exhausted")).findFirst()
                .or(() -> findings.stream().filter(Finding::severe).findFirst()).orElse(findings.getFirst());
        String more = findings.size() > 1 ? " (and " + (findings.size() - 1) + " more finding(s))" : "";
        return new Judgement(top.severe() ? Status.FAIL : Status.WARN, top.cause(), top.text() + more);
    }

    /** Processes by how close they are to their open-file limit, closest first; unreadable ones are skipped. */
    private static List<Fds> fds(Path proc) {
        List<Fds> out = new ArrayList<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            int seen = 0;
            for (Path p : pids) {
                if (++seen > 10_000) {
                    break;
                }
                long limit = ProcResources.maxOpenFiles(SysClassNet.value(p.resolve("limits")));
                if (limit <= 0) {
                    continue;
                }
                try (var fd = Files.list(p.resolve("fd"))) {
                    out.add(new Fds(Long.parseLong(p.getFileName().toString()), SysClassNet.value(p.resolve("comm")), fd.count(), limit));
                } catch (IOException | RuntimeException e) {
                    // another user's process, or it just exited
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort((a, b) -> Double.compare((double) b.open() / b.limit(), (double) a.open() / a.limit()));
        return out;
    }

    private static Double pct(Long part, Long whole) {
        return part == null || whole == null || whole <= 0 ? null : Math.round(part * 1000.0 / whole) / 10.0;
    }
}
