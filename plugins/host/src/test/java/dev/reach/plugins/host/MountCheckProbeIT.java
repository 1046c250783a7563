package dev.reach.plugins.host;

import dev.reach.testkit.Daemon;
import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * mount.check on real mounts: a tmpfs, an fstab line nothing answers, and an sshfs mount of a folder served by an
 * OpenSSH server the test starts in namespace b (198.18.60.2; host key, user key, known_hosts and configs made here),
 * whose port is then dropped. The mounts live in this host's mount namespace (the probe, run through ip netns exec in
 * namespace a, sees a copy of them); sshfs reaches b through {@code ip netns exec a ssh}.
 */
class MountCheckProbeIT {
    private static Netns lab;
    private static String a;
    private static String b;
    private static Path dir;
    private static Netns.Spawned sshd;
    private static Daemon sshfs;
    private static boolean tmpfsMounted;

    @BeforeAll
    static void build() throws Exception {
        Root.assumeRootWith("ip", "iptables", "mount", "umount", "stat");
        lab = Netns.create();
        a = lab.namespace("a");
        b = lab.namespace("b");
        lab.link(a, "198.18.60.1/24", b, "198.18.60.2/24");
        dir = Files.createTempDirectory("reach-mount-");
        Files.createDirectories(dir.resolve("tmpfs"));
        run("mount", "-t", "tmpfs", "-o", "size=1m", "reach-test", dir.resolve("tmpfs").toString());
        tmpfsMounted = true;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (sshfs != null) sshfs.close(); // a request stuck on the dropped server ends with it
        if (sshfs != null) new ProcessBuilder("umount", "-l", dir.resolve("mnt").toString()).start().waitFor();
        if (tmpfsMounted) new ProcessBuilder("umount", "-l", dir.resolve("tmpfs").toString()).start().waitFor();
        if (sshd != null) sshd.close();
        if (lab != null) lab.close();
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void aLocalMountAnswers() {
        var r = probe("path=" + dir.resolve("tmpfs"));
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("type", "tmpfs").containsEntry("mountpoint", dir.resolve("tmpfs").toString())
                .doesNotContainKey("server");
    }

    /** A bind mount of the tmpfs: its own mount point, the same filesystem. */
    @Test
    void aBindMountAnswers() throws Exception {
        Path bind = Files.createDirectories(dir.resolve("bind"));
        run("mount", "--bind", dir.resolve("tmpfs").toString(), bind.toString());
        try {
            var r = probe("path=" + bind);
            assertThat(r.status()).as(r.toString()).isEqualTo("ok");
            assertThat(r.facts()).containsEntry("type", "tmpfs").containsEntry("mountpoint", bind.toString()).containsEntry("source", "reach-test");
        } finally {
            run("umount", "-l", bind.toString());
        }
    }

    @Test
    void anFstabLineNotMountedIsMissing() throws Exception {
        Path fstab = dir.resolve("fstab");
        Files.writeString(fstab, "# lab\nbackup.lab.test:/vol " + dir.resolve("backup") + " nfs4 defaults,_netdev 0 0\n");
        var r = probe("path=" + dir.resolve("backup/daily"), "file=" + fstab);
        assertThat(r.cause()).as(r.toString()).isEqualTo("mount.missing");
        assertThat(r.summary()).contains(fstab + " line 2 mounts backup.lab.test:/vol (nfs4) on " + dir.resolve("backup"));
    }

    @Test
    void anSshfsMountAnswersThenGoesStaleWhenItsServerIsDropped() throws Exception {
        Root.assumeRootWith("sshd", "ssh", "ssh-keygen", "sshfs");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse here: FUSE mounts (sshfs) cannot be made");
        startSshd();
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        sshfs = Daemon.start("sshfs", "-f", "-o", "ssh_command=ip netns exec " + a + " ssh -F " + dir.resolve("ssh_config"),
                "198.18.60.2:" + dir.resolve("export"), mnt.toString());
        awaitMount(mnt);

        var ok = probe("path=" + mnt.resolve("report.txt"), "timeout=2s");
        assertThat(ok.status()).as(ok.toString()).isEqualTo("ok");
        assertThat(ok.facts()).containsEntry("type", "fuse.sshfs").containsEntry("server", "198.18.60.2").containsEntry("server_port", "22");

        lab.exec(b, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP").orThrow();
        Thread.sleep(1200); // the kernel's attribute cache for the file (1 s) runs out: the next stat goes to sshfs
        var stale = probe("path=" + mnt.resolve("report.txt"), "timeout=1s");
        assertThat(stale.cause()).as(stale.toString()).isEqualTo("mount.stale");
        assertThat(stale.summary()).contains("within 1s: its server 198.18.60.2:22 (SFTP (sshfs))").contains("[tcp.filtered]");
    }

    private static void startSshd() throws Exception {
        Path export = Files.createDirectories(dir.resolve("export"));
        Files.writeString(export.resolve("report.txt"), "q3\n");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("user").toString());
        Files.copy(dir.resolve("user.pub"), dir.resolve("authorized_keys"));
        Files.writeString(dir.resolve("known_hosts"), "198.18.60.2 " + Files.readString(dir.resolve("host.pub")));
        Files.writeString(dir.resolve("sshd_config"), String.join("\n", "ListenAddress 198.18.60.2", "Port 22",
                "HostKey " + dir.resolve("host"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "PidFile none", "PermitRootLogin prohibit-password",
                "Subsystem sftp internal-sftp", ""));
        Files.writeString(dir.resolve("ssh_config"), String.join("\n", "Host *", "  User root", "  IdentityFile " + dir.resolve("user"),
                "  IdentitiesOnly yes", "  UserKnownHostsFile " + dir.resolve("known_hosts"), "  StrictHostKeyChecking yes",
                "  BatchMode yes", "  ConnectTimeout 5", ""));
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation folder
        String sshdPath = lab.exec(a, "sh", "-c", "command -v sshd || echo /usr/sbin/sshd").out().strip();
        sshd = lab.spawn(b, sshdPath, "-D", "-e", "-f", dir.resolve("sshd_config").toString());
        for (int i = 0; i < 50; i++) { // at most 5 s
            if (lab.exec(b, "ss", "-Hltn", "sport = :22").out().contains(":22")) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("sshd does not listen: " + sshd.output());
    }

    private static void awaitMount(Path mnt) throws Exception {
        for (int i = 0; i < 100; i++) { // at most 10 s
            if (Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mnt + " ") && Files.exists(mnt.resolve("report.txt"))) return;
            if (!sshfs.alive()) throw new IllegalStateException("sshfs exited: " + sshfs.output() + "\nsshd: " + sshd.output());
            Thread.sleep(100);
        }
        throw new IllegalStateException("sshfs did not mount in 10 s: " + sshfs.output());
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(Duration.ofSeconds(20).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, a, MountCheckProbe.class, keyValues);
    }
}
