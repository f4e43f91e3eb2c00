package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A file is its filesystem's UUID, inode and generation: not the mount point it was seen under, nor the device the
 * filesystem was on. A filesystem unmounted and mounted elsewhere keeps its files, and their damage is one file's.
 */
class FileIdentityTest {
    private static final DeviceNumber LOOP3 = new DeviceNumber(7, 3);
    private static final DeviceNumber LOOP5 = new DeviceNumber(7, 5);
    private static final FilesystemRef AT_DATA = new FilesystemRef("0b1c-uuid", LOOP3, "/mnt/data", "xfs");
    private static final FilesystemRef AT_ARCHIVE = new FilesystemRef("0b1c-uuid", LOOP5, "/srv/archive", "xfs");
    private static final FilesystemRef OTHER = new FilesystemRef("77aa-uuid", LOOP3, "/mnt/data", "xfs");
    private static final Instant AT = Instant.parse("2026-11-23T10:15:30Z");

    @Test
    void keysOfOneFileSeenUnderTwoMountPointsAreEqualAndHashAlike() {
        FileKey before = new FileKey("0b1c-uuid", "/mnt/data", 131, 7);
        FileKey after = new FileKey("0b1c-uuid", "/srv/archive", 131, 7);

        assertThat(List.of(before.equals(after), before.hashCode() == after.hashCode())).containsExactly(true, true);
    }

    @Test
    void aKeyOfAnotherFilesystemIsAnotherFileEvenAtTheSameMountPointAndInode() {
        assertThat(new FileKey("0b1c-uuid", "/mnt/data", 131, 7)).isNotEqualTo(new FileKey("77aa-uuid", "/mnt/data", 131, 7));
    }

    @Test
    void anInodeReusedWithAnotherGenerationIsAnotherFile() {
        assertThat(new FileKey("0b1c-uuid", "/mnt/data", 131, 7)).isNotEqualTo(new FileKey("0b1c-uuid", "/mnt/data", 131, 8));
    }

    @Test
    void damageOfOneFileRecordedBeforeAndAfterARemountIsOneDamagedFile() {
        List<DamageRecord> records = List.of(record(1, AT_DATA, 0, "/swapme"), record(2, AT_ARCHIVE, 4096, "/swapme"));

        List<DamagedFile> files = DamagedFile.group(records);

        assertThat(files).singleElement().satisfies(file -> assertThat(file.hits()).hasSize(2));
    }

    @Test
    void aFileGroupedFromRecordsOfTwoMountPointsCarriesTheLatestMountPoint() {
        List<DamageRecord> records = List.of(record(1, AT_DATA, 0, "/swapme"), record(2, AT_ARCHIVE, 4096, "/swapme"));

        assertThat(DamagedFile.group(records).get(0).key().mountPoint()).isEqualTo("/srv/archive");
    }

    @Test
    void theFilesOfAFilesystemAreFoundByItsUuidWhereverItWasMounted() {
        List<DamageRecord> records = new ArrayList<>(List.of(record(1, AT_DATA, 0, "/swapme"),
                record(2, AT_ARCHIVE, 4096, "/swapme")));
        records.add(record(3, OTHER, 8192, "/swapme"));

        List<DamagedFile> files = DamagedFile.ofFilesystem(records, "0b1c-uuid");

        assertThat(files).singleElement().satisfies(file -> assertThat(file.hits())
                .extracting(hit -> hit.record().id()).containsExactly(1L, 2L));
    }

    @Test
    void aFileOfAnotherFilesystemAtTheSameMountPointIsNotCountedWithIt() {
        List<DamageRecord> records = List.of(record(1, AT_DATA, 0, "/swapme"), record(2, OTHER, 4096, "/swapme"));

        assertThat(DamagedFile.group(records)).hasSize(2);
    }

    @Test
    void oneInodeNumberInTwoSubvolumesIsTwoFiles() {
        assertThat(FileKey.inSubvolume("0b1c-uuid", "/mnt/data", 256, 257, 7))
                .isNotEqualTo(FileKey.inSubvolume("0b1c-uuid", "/mnt/data", 5, 257, 7));
    }

    @Test
    void damageOfAFileAndOfItsSnapshotsCopyIsTwoDamagedFiles() {
        // A snapshot copies the inode with its number and generation: only the subvolume tells the two apart.
        List<DamageRecord> records = List.of(inSubvolume(1, 5, "/data/file"),
                inSubvolume(2, 256, "/snapshots/monday/data/file"));

        assertThat(DamagedFile.group(records)).extracting(file -> file.key().subvolume()).containsExactlyInAnyOrder(5L,
                256L);
    }

    private static DamageRecord inSubvolume(long id, long subvolume, String path) {
        AffectedOwner owner = new AffectedOwner(AT_DATA, new FileOwner(257, 7, Fork.DATA, 0, 1_048_576, 4096, true,
                false, subvolume), List.of(path));
        return new DamageRecord(id, LOOP3, "loop3", 1_048_576, 4096, 5, "kmsg", AT, AT, 1, List.of(owner),
                DamageState.OPEN, 0, "");
    }

    private static DamageRecord record(long id, FilesystemRef filesystem, long fileOffset, String path) {
        AffectedOwner owner = new AffectedOwner(filesystem, new FileOwner(131, 7, Fork.DATA, fileOffset,
                1_048_576 + fileOffset, 4096, false, false), List.of(path));
        return new DamageRecord(id, filesystem.device(), "loop", 1_048_576 + fileOffset, 4096, 5, "kmsg", AT, AT, 1,
                List.of(owner), DamageState.OPEN, 0, "");
    }
}
