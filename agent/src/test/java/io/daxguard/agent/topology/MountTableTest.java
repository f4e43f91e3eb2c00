package io.daxguard.agent.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Mount;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountTableTest {

    @Test
    void parsesAMountWithOptionalFields() {
        Mount mount = MountTable.parse(
                "36 35 7:3 / /mnt/data rw,noatime shared:1 master:2 - xfs /dev/loop3 rw,attr2,inode64");

        assertThat(mount).isEqualTo(new Mount(36, new DeviceNumber(7, 3), "/", Path.of("/mnt/data"), "xfs",
                "/dev/loop3", "rw,noatime,rw,attr2,inode64"));
    }

    @Test
    void decodesOctalEscapesInPaths() {
        Mount mount = MountTable.parse("40 35 8:2 /sub\\040dir /mnt/my\\040data rw - ext4 /dev/sda2 rw");

        assertThat(mount.mountPoint()).isEqualTo(Path.of("/mnt/my data"));
        assertThat(mount.root()).isEqualTo("/sub dir");
    }

    @Test
    void aBindMountOfASubdirectoryDoesNotShowTheWholeFilesystem() {
        Mount mount = MountTable.parse("41 35 8:2 /exports /srv rw - ext4 /dev/sda2 rw");

        assertThat(mount.showsWholeFilesystem()).isFalse();
    }

    @Test
    void rejectsALineWithoutTheSeparator() {
        assertThatThrownBy(() -> MountTable.parse("36 35 7:3 / /mnt rw xfs /dev/loop3 rw"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unexpected shape");
    }
}
