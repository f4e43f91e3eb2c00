package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which mount points of a mount table lie below a directory. */
class MountPointsTest {
    private static final String TABLE = """
            22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
            40 22 7:0 / /mnt/data rw,relatime shared:2 - ext4 /dev/loop0 rw
            41 40 0:50 / /mnt/data/cache rw shared:3 - tmpfs none rw
            42 40 0:51 / /mnt/data/with\\040space rw shared:4 - tmpfs none rw
            43 22 0:52 / /mnt/database rw shared:5 - tmpfs none rw
            """;

    private static LinuxPath path(String text) {
        return LinuxPath.ofText(text);
    }

    @Test
    void listsTheMountPointsStrictlyBelowTheRootDecodingEscapedSpaces() {
        assertThat(MountPoints.beneath(path("/mnt/data"), TABLE.getBytes(StandardCharsets.UTF_8)))
                .containsExactly(path("/mnt/data/cache"), path("/mnt/data/with space"));
    }

    @Test
    void listsNothingBelowADirectoryWithoutMountsUnderIt() {
        assertThat(MountPoints.beneath(path("/mnt/data/cache"), TABLE.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
}
