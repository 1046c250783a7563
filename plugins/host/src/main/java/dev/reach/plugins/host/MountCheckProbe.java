package dev.reach.plugins.host;

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
import dev.reach.spi.Tcp;
import org.pf4j.Extension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether a path's storage answers: what is mounted there ({@code /proc/self/mountinfo}: type, source, options), the
 * server and port of a network filesystem (NFS, SMB, sshfs, GlusterFS, Ceph), and a {@code stat} and {@code statfs}
 * of the path in a process of their own with a deadline: a mount whose server is gone blocks them, often beyond the
 * reach of any signal, and only a separate process can be left behind. A mount that does not answer is
 * {@code mount.stale}, with its server's port tried at once; an fstab line that should hold the path and is not
 * mounted is {@code mount.missing}.
 *
 * <pre>
 * $ reach probe mount.check path=/mnt/backup
 * fail [mount.stale]: /mnt/backup (fuse.sshfs from 198.18.60.2:/export) did not answer stat within 2s: its server 198.18.60.2:22 ...
 * </pre>
 */
@Extension
public final class MountCheckProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("mount.check", "Checks that a path's mount answers, and the network filesystem server behind it")
            .param(Param.string("path", "a path on the mount, or its mount point").required())
            .param(Param.duration("timeout", "how long stat and statfs may take").defaultValue("2s").range("100ms", "1m"))
            .param(Param.file("file", "the fstab that says what should be mounted").defaultValue("/etc/fstab"))
            .fact("outcome", "string", "answered, stale, missing, error")
            .fact("mountpoint", "string", "the mount point that holds the path")
            .fact("type", "string", "its filesystem type")
            .fact("source", "string", "what is mounted (device, server:/export, //server/share)")
            .fact("options", "string", "mount and filesystem options")
            .fact("server", "string", "the network filesystem's server")
            .fact("server_port", "integer", "the port it is reached on")
            .fact("stat_ms", "number", "time stat and statfs took")
            .fact("fstab_line", "string", "the fstab line that should hold the path")
            .needs(Needs.NOTHING.withTools("stat"))
            .example("reach probe mount.check path=/mnt/backup")
            .example("reach probe mount.check path=/srv/share/reports timeout=5s")
            .about("What is mounted at a path (type, source, options), the server and port of a network filesystem (NFS, "
                    + "SMB, sshfs, GlusterFS, Ceph), and stat/statfs of the path in a process of their own with a deadline: "
                    + "`mount.stale` when they do not answer (the server's port tried at once: refused, filtered, "
                    + "unreachable), `mount.missing` when an fstab line that should hold the path is not mounted.")
            .causes("mount.stale", "mount.missing")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params p) {
        String path = Path.of(p.string("path")).toAbsolutePath().normalize().toString(); // no realpath: it would stat
        List<Mounts.Mount> mounts;
        try {
            mounts = Mounts.parse(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            return Observation.error("cannot read /proc/self/mountinfo: " + e.getMessage()).fact("outcome", "error").build();
        }
        Path fstabFile = Path.of(p.string("file"));
        List<Mounts.Planned> planned = List.of();
        try {
            if (Files.isReadable(fstabFile)) planned = Mounts.fstab(Files.readString(fstabFile));
        } catch (IOException e) {
            // no fstab to compare with: what is mounted is judged alone
        }
        Optional<Mounts.Planned> absent = Mounts.missing(planned, mounts, path);
        Optional<Mounts.Mount> mount = Mounts.holding(mounts, path);
        if (absent.isPresent()) {
            Mounts.Planned a = absent.get();
            return missing(a, fstabFile, path, mount).observation()
                    .fact("fstab_line", fstabFile + ":" + a.line() + ": " + a.source() + " " + a.mountpoint() + " " + a.type() + " " + a.options())
                    .fact("mountpoint", mount.map(Mounts.Mount::mountpoint).orElse(null)).fact("type", mount.map(Mounts.Mount::type).orElse(null))
                    .build();
        }
        if (mount.isEmpty()) {
            return Observation.error("no mount holds " + path + " in /proc/self/mountinfo").fact("outcome", "error").build();
        }
        Mounts.Mount m = mount.get();
        Duration timeout = ctx.bound(p.duration("timeout"));
        ctx.progress("stat " + path + " (" + m.type() + ")");
        long t0 = System.nanoTime();
        Exec stat = Exec.run(ctx, timeout, "stat", "-c", "%F", path);
        Exec statfs = stat.ok() ? Exec.run(ctx, timeout.minusNanos(System.nanoTime() - t0), "stat", "-f", "-c", "%b %f", path) : stat;
        double ms = (System.nanoTime() - t0) / 1e6;
        String tcp = null;
        Optional<Mounts.Server> server = m.server();
        boolean answered = stat.ok() && statfs.ok();
        if (!answered && server.isPresent() && stuck(stat, statfs)) {
            ctx.progress("trying " + server.get().host() + ":" + server.get().port());
            try (Tcp.Outcome o = Tcp.connect(ctx, server.get().host(), server.get().port(), Duration.ofSeconds(1))) {
                tcp = o instanceof Tcp.Connected ? "it accepts a connection on " + server.get().port()
                        + ", so the server itself (or " + server.get().protocol() + " on it) does not answer"
                        : o.judgement().summary() + " [" + o.judgement().cause() + "]";
            } catch (Exception e) {
                tcp = "it could not be tried: " + e.getMessage();
            }
        }
        Judgement j = judge(m, path, stat, statfs, timeout, tcp);
        Observation.Builder b = j.observation().fact("mountpoint", m.mountpoint()).fact("type", m.type()).fact("source", m.source())
                .fact("options", m.options()).fact("stat_ms", Math.round(ms * 1000) / 1000.0)
                .fact("server", server.map(Mounts.Server::host).orElse(null)).fact("server_port", server.map(Mounts.Server::port).orElse(null))
                .evidence(path + " is on " + m.mountpoint() + ": " + m.type() + " from " + m.source() + " (" + m.options() + ")")
                .evidence(stat.line() + " -> " + (stat.ok() ? stat.out().strip() : stat.why()));
        if (stat.ok()) b.evidence(statfs.line() + " -> " + (statfs.ok() ? statfs.out().strip() : statfs.why()));
        if (tcp != null) b.evidence("server " + server.get().host() + ":" + server.get().port() + " (" + server.get().protocol() + "): " + tcp);
        return b.build();
    }

    /** Whether stat or statfs hung (killed at the deadline) or failed the way a dead connection does. */
    private static boolean stuck(Exec stat, Exec statfs) {
        Exec failed = stat.ok() ? statfs : stat;
        String e = failed.err();
        return failed.exit() == -2 || e.contains("Stale file handle") || e.contains("Transport endpoint is not connected")
                || e.contains("Input/output error") || e.contains("Host is down") || e.contains("No route to host");
    }

    /** Judges the stat and statfs of a mounted path. Pure. */
    static Judgement judge(Mounts.Mount m, String path, Exec stat, Exec statfs, Duration timeout, String serverCheck) {
        String what = path + " (" + m.type() + " from " + m.source() + ")";
        if (stat.ok() && statfs.ok()) {
            return new Judgement(Status.OK, null, "answered", what + " answers stat and statfs");
        }
        if (!stuck(stat, statfs)) {
            Exec failed = stat.ok() ? statfs : stat;
            if (failed.exit() == -1) return new Judgement(Status.ERROR, null, "error", "stat could not run: " + failed.why());
            return new Judgement(Status.FAIL, null, "error", what + ": " + failed.why());
        }
        Exec failed = stat.ok() ? statfs : stat;
        String how = failed.exit() == -2 ? "did not answer " + (stat.ok() ? "statfs" : "stat") + " within " + ParamType.format(timeout)
                : "answers " + failed.why().replaceFirst("^stat: ", "");
        Optional<Mounts.Server> server = m.server();
        return new Judgement(Status.FAIL, "mount.stale", "stale", what + " " + how
                + (server.isPresent() ? ": its server " + server.get().host() + ":" + server.get().port() + " (" + server.get().protocol() + ")"
                + (serverCheck == null ? " does not answer" : ": " + serverCheck) : ": the filesystem behind it does not answer"));
    }

    static Judgement missing(Mounts.Planned a, Path fstab, String path, Optional<Mounts.Mount> now) {
        return new Judgement(Status.FAIL, "mount.missing", "missing", fstab + " line " + a.line() + " mounts " + a.source() + " ("
                + a.type() + ") on " + a.mountpoint() + ", but nothing is mounted there: " + path + " is "
                + now.map(m -> "on " + m.mountpoint() + " (" + m.type() + ")").orElse("on no mount")
                + (a.automatic() ? "" : "; the line says noauto: it is mounted by hand or by an automounter"));
    }
}
