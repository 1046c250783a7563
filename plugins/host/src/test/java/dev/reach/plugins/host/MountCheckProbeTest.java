package dev.reach.plugins.host;

import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class MountCheckProbeTest {
    /** /proc/self/mountinfo lines: the root, an sshfs mount (as captured), NFS, SMB, a tmpfs whose path has a space. */
    private static final String MOUNTINFO = """
            26 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
            52 26 0:40 / /tmp/rs.lRLF/mnt rw,nosuid,nodev,relatime - fuse.sshfs 198.18.60.2:/tmp/rs.lRLF/export rw,user_id=0,group_id=0
            60 26 0:51 / /mnt/nfs rw,relatime shared:30 - nfs4 files.lab.test:/export/home rw,vers=4.2,rsize=1048576,hard,proto=tcp,timeo=600,clientaddr=198.18.0.1,addr=198.18.0.9
            61 26 0:52 / /mnt/share rw,relatime - cifs //smb.lab.test/reports rw,vers=3.1.1,addr=198.18.0.10,port=1445,soft
            62 26 0:53 / /mnt/with\\040space rw - tmpfs tmpfs rw,size=1024k
            """;

    @Test
    void mountsAreReadWithTheirServers() {
        List<Mounts.Mount> all = Mounts.parse(MOUNTINFO);
        assertThat(all).hasSize(5);
        var sshfs = Mounts.holding(all, "/tmp/rs.lRLF/mnt/f").orElseThrow();
        assertThat(sshfs.type()).isEqualTo("fuse.sshfs");
        assertThat(sshfs.server()).contains(new Mounts.Server("198.18.60.2", 22, "SFTP (sshfs)"));
        assertThat(Mounts.holding(all, "/mnt/nfs").orElseThrow().server()).contains(new Mounts.Server("198.18.0.9", 2049, "NFS"));
        assertThat(Mounts.holding(all, "/mnt/share/q3.pdf").orElseThrow().server()).contains(new Mounts.Server("198.18.0.10", 1445, "SMB"));
        assertThat(Mounts.holding(all, "/mnt/with space/x").orElseThrow().type()).isEqualTo("tmpfs");
        assertThat(Mounts.holding(all, "/mnt/nfsother").orElseThrow().mountpoint()).as("a prefix that is not a folder").isEqualTo("/");
        assertThat(Mounts.holding(all, "/etc").orElseThrow().network()).isFalse();
        assertThat(new Mounts.Mount("/m", "ceph", "198.18.0.11:6789,198.18.0.12:6789:/", "rw").server())
                .contains(new Mounts.Server("198.18.0.11", 6789, "Ceph"));
        assertThat(new Mounts.Mount("/m", "nfs", "[fd00::9]:/x", "rw").server()).contains(new Mounts.Server("fd00::9", 2049, "NFS"));
    }

    @Test
    void anFstabLineThatShouldHoldThePathAndIsNotMountedIsMissing() {
        String fstab = """
                # <file system> <mount point> <type> <options> <dump> <pass>
                /dev/vda1 / ext4 defaults 0 1
                backup.lab.test:/vol /mnt/backup nfs4 defaults,_netdev 0 0
                /dev/vdb1 none swap sw 0 0
                //smb.lab.test/reports /mnt/share cifs credentials=/etc/smb.cred 0 0
                """;
        List<Mounts.Planned> planned = Mounts.fstab(fstab);
        assertThat(planned).extracting(Mounts.Planned::mountpoint).containsExactly("/", "/mnt/backup", "/mnt/share");
        List<Mounts.Mount> all = Mounts.parse(MOUNTINFO);
        var absent = Mounts.missing(planned, all, "/mnt/backup/daily").orElseThrow();
        assertThat(absent.line()).isEqualTo(3);
        assertThat(Mounts.missing(planned, all, "/mnt/share/q3.pdf")).as("mounted").isEmpty();
        assertThat(Mounts.missing(planned, all, "/etc/hosts")).isEmpty();
        var j = MountCheckProbe.missing(absent, Path.of("/etc/fstab"), "/mnt/backup/daily", Mounts.holding(all, "/mnt/backup/daily"));
        assertThat(j.cause()).isEqualTo("mount.missing");
        assertThat(j.summary()).isEqualTo("/etc/fstab line 3 mounts backup.lab.test:/vol (nfs4) on /mnt/backup, but nothing is mounted there:"
                + " /mnt/backup/daily is on / (ext4)");
    }

    @Test
    void aStatThatHangsOrFailsAsADeadConnectionIsStale() {
        var sshfs = Mounts.holding(Mounts.parse(MOUNTINFO), "/tmp/rs.lRLF/mnt").orElseThrow();
        Exec hung = new Exec(List.of("stat", "-c", "%F", "/tmp/rs.lRLF/mnt"), -2, "", "did not finish within 1000ms and was stopped");
        var j = MountCheckProbe.judge(sshfs, "/tmp/rs.lRLF/mnt", hung, hung, Duration.ofSeconds(1), "198.18.60.2:22 gave no answer [tcp.filtered]");
        assertThat(j.cause()).isEqualTo("mount.stale");
        assertThat(j.summary()).isEqualTo("/tmp/rs.lRLF/mnt (fuse.sshfs from 198.18.60.2:/tmp/rs.lRLF/export) did not answer stat within 1s:"
                + " its server 198.18.60.2:22 (SFTP (sshfs)): 198.18.60.2:22 gave no answer [tcp.filtered]");
        Exec ok = new Exec(List.of("stat"), 0, "directory\n", "");
        Exec gone = new Exec(List.of("stat", "-f"), 1, "", "stat: cannot read file system information for '/m': Transport endpoint is not connected\n");
        assertThat(MountCheckProbe.judge(sshfs, "/m", ok, gone, Duration.ofSeconds(1), null).summary())
                .contains("answers cannot read file system information for '/m': Transport endpoint is not connected: its server");
        assertThat(MountCheckProbe.judge(sshfs, "/m", ok, ok, Duration.ofSeconds(1), null).status()).isEqualTo(Status.OK);
        Exec noFile = new Exec(List.of("stat"), 1, "", "stat: cannot statx '/m/x': No such file or directory\n");
        var absent = MountCheckProbe.judge(sshfs, "/m/x", noFile, noFile, Duration.ofSeconds(1), null);
        assertThat(absent.cause()).isNull();
        assertThat(absent.status()).isEqualTo(Status.FAIL);
    }

    @Test
    void escapesAreUndone() {
        assertThat(Mounts.unescape("/mnt/a\\040b\\011c\\134d")).isEqualTo("/mnt/a b\tc\\d");
        assertThat(Mounts.unescape("/mnt/odd\\04")).isEqualTo("/mnt/odd\\04");
        assertThat(Optional.of(Mounts.under("/mnt/ab", "/mnt/a"))).contains(false);
    }
}
