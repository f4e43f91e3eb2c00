package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which mountinfo lines decide where the names under a mount point lead. */
class MountsOnThePathTest {
    private static final String TABLE = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            30 22 0:25 / /tmp rw shared:5 - tmpfs tmpfs rw
            41 30 7:3 / /tmp/data rw,noatime - xfs /dev/loop3 rw
            42 41 0:40 / /tmp/data/covered rw - tmpfs none rw
            43 30 7:4 / /tmp/database rw - ext4 /dev/loop4 rw
            44 30 0:41 / /tmp/other rw - tmpfs none rw
            45 41 0:42 / /tmp/data/with\\040space rw - tmpfs none rw
            """;

    private static java.util.List<String> onThePath(String table, String mountPoint) {
        return MountsOnThePath.of(table.getBytes(StandardCharsets.UTF_8), LinuxPath.ofText(mountPoint));
    }

    @Test
    void keepsTheMountsOnTheWayToAtAndBelowTheMountPoint() {
        assertThat(onThePath(TABLE, "/tmp/data")).containsExactly("22 1 8:1 / /", "30 22 0:25 / /tmp",
                "41 30 7:3 / /tmp/data", "42 41 0:40 / /tmp/data/covered", "45 41 0:42 / /tmp/data/with\\040space");
    }

    @Test
    void leavesOutAMountBesideTheMountPointWhoseNameOnlyStartsTheSame() {
        assertThat(onThePath(TABLE, "/tmp/data")).noneMatch(line -> line.contains("/tmp/database"));
    }

    @Test
    void seesNoChangeWhenOnlyAMountElsewhereWasAdded() {
        String later = TABLE + "46 30 0:43 / /tmp/elsewhere rw - tmpfs none rw\n";

        assertThat(onThePath(later, "/tmp/data")).isEqualTo(onThePath(TABLE, "/tmp/data"));
    }

    @Test
    void seesAMountMadeAgainInThePlaceOfAnotherEvenWithTheSameId() {
        String remade = TABLE.replace("42 41 0:40 / /tmp/data/covered", "42 41 0:44 / /tmp/data/covered");

        assertThat(onThePath(remade, "/tmp/data")).isNotEqualTo(onThePath(TABLE, "/tmp/data"));
    }

    @Test
    void seesAMountOverAnAncestorOfTheMountPoint() {
        String covered = TABLE + "47 22 0:45 / /tmp rw - tmpfs none rw\n";

        assertThat(onThePath(covered, "/tmp/data")).isNotEqualTo(onThePath(TABLE, "/tmp/data"));
    }
}
