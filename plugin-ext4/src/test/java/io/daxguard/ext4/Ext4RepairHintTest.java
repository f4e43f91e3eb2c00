package io.daxguard.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What an administrator reads for damage to each kind of ext4 metadata: one sentence, exactly. */
class Ext4RepairHintTest {
    private static final Mount MOUNT = new Mount(0, new DeviceNumber(7, 3), "/", LinuxPath.ofText("/mnt/data"),
            "ext4", "/dev/loop3", "rw,relatime");
    private static final String CHECK = "Unmount /mnt/data and run e2fsck -f -l FILE /dev/loop3, with FILE holding"
            + " the Filesystem MBean's badBlockList";

    static Stream<Arguments> hints() {
        return Stream.of(
                Arguments.of(Ext4MetadataKind.SUPERBLOCK, CHECK + "; if e2fsck cannot read the superblock, add -b and"
                        + " the block number of a backup superblock (mke2fs -n with the filesystem's parameters lists"
                        + " them)."),
                Arguments.of(Ext4MetadataKind.JOURNAL, CHECK + "; if it cannot replay the journal, it offers to clear"
                        + " it, which loses the updates the journal still held."),
                Arguments.of(Ext4MetadataKind.INODE_TABLE, CHECK + "."),
                Arguments.of(Ext4MetadataKind.GROUP_DESCRIPTORS, CHECK + "."),
                Arguments.of(Ext4MetadataKind.RESERVED_GDT, CHECK + "."),
                Arguments.of(Ext4MetadataKind.BLOCK_BITMAP, CHECK + "."),
                Arguments.of(Ext4MetadataKind.INODE_BITMAP, CHECK + "."),
                Arguments.of(Ext4MetadataKind.RESIZE_INODE, CHECK + "."),
                Arguments.of(Ext4MetadataKind.BOOT_BLOCK, "Nothing of /mnt/data is lost: ext4 does not read these"
                        + " bytes; a boot loader installed there must be installed again."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hints")
    void eachKindNamesTheMountPointTheDeviceAndTheCheckerInOneSentence(Ext4MetadataKind kind, String hint) {
        assertThat(kind.owner(MOUNT, 4096, 4096).repairHint()).isEqualTo(hint);
    }

    @Test
    void aHintWrittenUnderAnotherMountReadsForTheMountTheFilesystemIsAtNow() {
        Mount before = new Mount(0, new DeviceNumber(7, 9), "/", LinuxPath.ofText("/mnt/old"), "ext4", "/dev/loop9",
                "rw");
        MetadataOwner found = Ext4MetadataKind.JOURNAL.owner(before, 4096, 4096);

        assertThat(Ext4MetadataKind.repairHintNow(found, MOUNT))
                .isEqualTo(Ext4MetadataKind.JOURNAL.owner(MOUNT, 4096, 4096).repairHint());
    }

    @Test
    void aKindTheHolderDoesNotMakeKeepsItsHintAsWritten() {
        MetadataOwner foreign = new MetadataOwner("other.kind", "something", "Run fsck /dev/loop9.", 0, 512);

        assertThat(Ext4MetadataKind.repairHintNow(foreign, MOUNT)).isEqualTo("Run fsck /dev/loop9.");
    }

    @Test
    void everyKindHasACase() {
        assertThat(hints().map(arguments -> arguments.get()[0])).containsExactlyInAnyOrder(
                Arrays.stream(Ext4MetadataKind.values()).toArray());
    }
}
