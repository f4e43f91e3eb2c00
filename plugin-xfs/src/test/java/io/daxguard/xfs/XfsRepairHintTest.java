package io.daxguard.xfs;

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

/** What an administrator reads for damage to each kind of XFS metadata: one sentence, exactly. */
class XfsRepairHintTest {
    private static final Mount MOUNT = new Mount(0, new DeviceNumber(7, 3), "/", LinuxPath.ofText("/mnt/data"),
            "xfs", "/dev/loop3", "rw,relatime");
    private static final String OFFLINE = "Unmount /mnt/data and run xfs_repair /dev/loop3 (xfs_repair -n /dev/loop3"
            + " first shows what it would change).";

    static Stream<Arguments> hints() {
        return Stream.of(
                Arguments.of(XfsSpecialOwner.STATIC, OFFLINE),
                Arguments.of(XfsSpecialOwner.LOG, "Unmount /mnt/data and run xfs_repair /dev/loop3; if mounting cannot"
                        + " replay the log, xfs_repair -L /dev/loop3 zeroes it, which loses the metadata changes it"
                        + " still held."),
                Arguments.of(XfsSpecialOwner.AG_METADATA, OFFLINE),
                Arguments.of(XfsSpecialOwner.INODE_BTREE, OFFLINE),
                Arguments.of(XfsSpecialOwner.INODES, OFFLINE),
                Arguments.of(XfsSpecialOwner.REFCOUNT_BTREE, OFFLINE),
                Arguments.of(XfsSpecialOwner.COW_STAGING, "Unmount /mnt/data and run xfs_repair /dev/loop3; leftover CoW"
                        + " staging extents are freed at the next mount, but writes in flight to shared blocks may"
                        + " have been lost."),
                Arguments.of(XfsSpecialOwner.DEFECTIVE, OFFLINE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hints")
    void eachSpecialOwnerNamesTheMountPointTheDeviceAndXfsRepairInOneSentence(XfsSpecialOwner kind, String hint) {
        assertThat(kind.repairHint(MOUNT)).isEqualTo(hint);
    }

    /** {@code xfs.metadata}: metadata GETFSMAP does not name more closely. */
    @Test
    void metadataOfNoNamedKindHasTheOfflineRepair() {
        assertThat(XfsSpecialOwner.offlineRepairHint(MOUNT)).isEqualTo(OFFLINE);
    }

    @Test
    void aHintWrittenUnderAnotherMountReadsForTheMountTheFilesystemIsAtNow() {
        Mount before = new Mount(0, new DeviceNumber(7, 9), "/", LinuxPath.ofText("/mnt/old"), "xfs", "/dev/loop9",
                "rw");
        MetadataOwner found = new MetadataOwner(XfsSpecialOwner.LOG.kind(), "journalling log",
                XfsSpecialOwner.LOG.repairHint(before), 0, 4096);

        assertThat(XfsSpecialOwner.repairHintNow(found, MOUNT)).isEqualTo(XfsSpecialOwner.LOG.repairHint(MOUNT));
    }

    @Test
    void aGenericMetadataHintWrittenUnderAnotherMountReadsForTheMountNow() {
        Mount before = new Mount(0, new DeviceNumber(7, 9), "/", LinuxPath.ofText("/mnt/old"), "xfs", "/dev/loop9",
                "rw");
        MetadataOwner found = new MetadataOwner(XfsSpecialOwner.GENERIC_KIND, "filesystem metadata",
                XfsSpecialOwner.offlineRepairHint(before), 0, 4096);

        assertThat(XfsSpecialOwner.repairHintNow(found, MOUNT)).isEqualTo(OFFLINE);
    }

    /** Ledger records written before the kind was renamed (2026-12-04) name it {@code xfs.ag-headers}. */
    @Test
    void aRecordOfTheFormerPerAgMetadataNameReadsForTheMountNow() {
        Mount before = new Mount(0, new DeviceNumber(7, 9), "/", LinuxPath.ofText("/mnt/old"), "xfs", "/dev/loop9",
                "rw");
        MetadataOwner found = new MetadataOwner("xfs.ag-headers", "per-AG metadata",
                XfsSpecialOwner.offlineRepairHint(before), 0, 4096);

        assertThat(XfsSpecialOwner.repairHintNow(found, MOUNT)).isEqualTo(OFFLINE);
    }

    @Test
    void everySpecialOwnerHasACase() {
        assertThat(hints().map(arguments -> arguments.get()[0])).containsExactlyInAnyOrder(
                Arrays.stream(XfsSpecialOwner.values()).toArray());
    }
}
