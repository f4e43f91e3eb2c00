package io.daxguard.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import org.junit.jupiter.api.Test;

/** Why a mount point showing no btrfs is refused, and what the reason tells the administrator to do. */
class NotBtrfsReasonTest {
    private static final long TMPFS_MAGIC = 0x01021994L;

    @Test
    void aBtrfsMountCoveredByAnotherFilesystemIsToBeUncovered() {
        String reason = BtrfsPlugin.notBtrfs(mount("btrfs"), TMPFS_MAGIC);

        assertThat(reason).contains("statfs magic 0x1021994", "mounted over it", "umount /srv/data");
    }

    @Test
    void aMountOfAnotherTypeIsNotBtrfs() {
        assertThat(BtrfsPlugin.notBtrfs(mount("proc"), 0x9fa0L)).isEqualTo("not a btrfs filesystem (statfs magic 0x9fa0)");
    }

    private static Mount mount(String type) {
        return new Mount(42, new DeviceNumber(0, 45), "/", LinuxPath.ofText("/srv/data"), type, "/dev/vdb", "rw");
    }
}
