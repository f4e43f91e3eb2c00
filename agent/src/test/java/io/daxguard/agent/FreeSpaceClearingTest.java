package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.nio.file.ExtendedOpenOption;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.recovery.FilesystemProtection.ProtectionResult;
import io.daxguard.agent.recovery.KernelFilesystemProtection;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.DeviceDenied;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Free-space damage cleared by writing it, on a faulty disk whose bad sectors fail reads for real and are cleared by a
 * write over them (as pmem poison is): a bad sector in free space, reported, is rewritten while the filesystem is
 * frozen and reads clean; bytes a file took since the damage was recorded are left alone; the filesystem is thawed
 * even when the write cannot be made. Each test makes a disk of its own.
 */
@Tag("mount")
class FreeSpaceClearingTest {
    private static final int PAGE = 4096;

    /** An agent of each test's own, so no test sees another's records (a disk may get a loop device used before). */
    private AgentFixture fixture;
    private MBeanServerConnection remote;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopFuseAnd("mkfs.xfs", "mkfs.ext4");
    }

    @BeforeEach
    void startAgent() throws Exception {
        fixture = new AgentFixture();
        remote = fixture.remote();
    }

    @AfterEach
    void stopAgent() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private ObjectName held(FaultyDisk disk) throws Exception {
        remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
        ObjectName name = ObjectNames.filesystem(disk.mountPoint().toString());
        remote.invoke(name, "awaitReverseMap", new Object[] {60}, new String[] {"int"});
        return name;
    }

    /** A page in the middle of the largest free extent, as GETFSMAP says now. */
    private static long freePage(FaultyDisk disk) throws IOException {
        return freePage(disk.mountPoint(), disk.deviceNumber());
    }

    private static long freePage(Path mountPoint, io.daxguard.spi.DeviceNumber device) throws IOException {
        FsmapRecord[] largest = {null};
        try (NativeFile root = NativeFile.openDirectory(mountPoint)) {
            Getfsmap.query(root, device.encoded(), 0, Long.MAX_VALUE, Getfsmap.DEFAULT_BATCH, record -> {
                if (record.isSpecialOwner() && record.owner() == FsmapRecord.OWN_FREE
                        && (largest[0] == null || record.length() > largest[0].length())) {
                    largest[0] = record;
                }
                return true;
            });
        }
        assertThat(largest[0]).as("a free extent of " + mountPoint).isNotNull();
        long middle = (largest[0].physical() + largest[0].length() / 2) / PAGE * PAGE;
        assertThat(middle - PAGE).isGreaterThanOrEqualTo(largest[0].physical());
        assertThat(middle + 2 * PAGE).isLessThanOrEqualTo(largest[0].end());
        return middle;
    }

    /** Makes the sector bad and reports it as the kernel would. */
    private void damage(FaultyDisk disk, long sector) throws Exception {
        disk.poison(sector, 1);
        AgentCalls.reportFailure(remote, disk.deviceName(), sector, 1L, 5);
    }

    /** The record of the damage at {@code offset} of the disk's device. */
    private DamageRecord recordAt(FaultyDisk disk, long offset) throws IOException {
        return fixture.agent().ledger().records().stream().filter(record -> record.device()
                        .equals(deviceNumber(disk)) && record.offset() <= offset && offset < record.end())
                .reduce((older, newer) -> newer).orElseThrow(() -> new AssertionError("no record at " + offset));
    }

    private static io.daxguard.spi.DeviceNumber deviceNumber(FaultyDisk disk) {
        try {
            return disk.deviceNumber();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A page of the device read with O_DIRECT, past every cache. */
    private static byte[] devicePage(FaultyDisk disk, long offset) throws IOException {
        return devicePage(disk.device(), offset);
    }

    private static byte[] devicePage(Path device, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(2 * PAGE).alignedSlice(PAGE);
            buffer.limit(PAGE);
            channel.read(buffer, offset);
            byte[] bytes = new byte[PAGE];
            buffer.flip().get(bytes);
            return bytes;
        }
    }


    @ParameterizedTest(name = "{0} on {1}-byte logical sectors")
    @CsvSource({"xfs, 512", "xfs, 4096", "ext4, 512", "ext4, 4096"})
    void aBadSectorInFreeSpaceIsRewrittenReadsCleanAndItsRecordCloses(String type, int logicalSectorSize)
            throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).create()) {
            ObjectName filesystem = held(disk);
            long page = freePage(disk);
            long sector = page / 512 + 3;
            damage(disk, sector);
            DamageRecord record = recordAt(disk, sector * 512);
            assertThat(record.owners()).allMatch(owner -> owner.owner() instanceof FreeSpaceOwner);
            assertThat((Long) remote.getAttribute(filesystem, "FreeSpaceDamageBytes")).isPositive();

            String answer = (String) remote.invoke(filesystem, "clearFreeSpaceDamage", new Object[0], new String[0]);

            assertThat(answer).startsWith("1 of 1 free-space record(s) cleared").contains("closed as REWRITTEN")
                    .contains("thawed");
            assertThat(disk.badSectors()).isEmpty();
            assertThat(devicePage(disk, page)).containsOnly(0);
            assertThat(fixture.agent().ledger().find(record.id()).orElseThrow().state())
                    .isEqualTo(DamageState.REWRITTEN);
            assertThat((Long) remote.getAttribute(filesystem, "FreeSpaceDamageBytes")).isZero();
            assertThat(Freezes.frozen(disk.mountPoint())).isFalse();
            ProtectionResult again = fixture.agent().protection().clearFreeSpace(
                    fixture.agent().ledger().find(record.id()).orElseThrow(), "test");
            assertThat(again.done()).isFalse();
            assertThat(again.message()).startsWith("nothing to clear in record " + record.id());
        }
    }

    /**
     * The damaged bytes were free when recorded and a file took them since (a hole punched, then written again: the
     * allocator puts the blocks back beside their neighbours): GETFSMAP, asked while frozen, says they are not free,
     * so nothing is written and the record waits.
     */
    @ParameterizedTest
    @ValueSource(strings = {"xfs", "ext4"})
    void bytesAFileTookSinceAreRefusedAndNothingIsWritten(String type) throws Exception {
        try (FaultyDisk disk = FaultyDisk.of(type).create()) {
            ObjectName filesystem = held(disk);
            Path file = disk.path("refilled.bin");
            byte[] data = new byte[256 * 1024];
            new Random(15).nextBytes(data);
            AgentFixture.writeFile(file, data.length, 15);
            long sector = disk.sectorOf(file, 96 * 1024);
            Command.run("fallocate", "--punch-hole", "--offset", "65536", "--length", "65536", file.toString());
            Command.run("sync", "-f", disk.mountPoint().toString());
            damage(disk, sector);
            DamageRecord record = recordAt(disk, sector * 512);
            assertThat(record.owners()).as("recorded while free").allMatch(owner -> owner.owner() instanceof FreeSpaceOwner);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(data, 65536, 65536), 65536);
                channel.force(true);
            }
            assertThat(disk.sectorOf(file, 96 * 1024)).as("setup: the file took the damaged sector back").isEqualTo(sector);
            long page = sector * 512 / PAGE * PAGE;
            int inPage = (int) (sector * 512 - page);
            byte[] before = devicePage(disk, page);

            String refusal;
            try {
                remote.invoke(filesystem, "clearFreeSpaceDamage", new Object[0], new String[0]);
                throw new AssertionError("clearFreeSpaceDamage was not refused");
            } catch (RuntimeMBeanException e) {
                refusal = e.getCause().getMessage();
            }

            assertThat(refusal).startsWith("0 of 1 free-space record(s) cleared").contains("is not all free space")
                    .contains("record and wait").contains("nothing written");
            byte[] after = devicePage(disk, page);
            assertThat(after).isEqualTo(before);
            // The file's bytes at 96 KiB are on the damaged sector (blocks may be 1 KiB: only that sector is compared).
            assertThat(Arrays.copyOfRange(after, inPage, inPage + 512))
                    .isEqualTo(Arrays.copyOfRange(data, 96 * 1024, 96 * 1024 + 512));
            assertThat(fixture.agent().ledger().find(record.id()).orElseThrow().state()).isEqualTo(DamageState.OPEN);
            assertThat(Freezes.frozen(disk.mountPoint())).isFalse();
        }
    }

    /**
     * The device cannot be opened for writing (this thread is denied it, as in a container): the clearing fails after
     * the freeze and the check, and the filesystem is thawed all the same; the record stays open and the sector bad.
     */
    @Test
    void theFilesystemIsThawedWhenTheWriteCannotBeMade() throws Exception {
        try (FaultyDisk disk = FaultyDisk.xfs().create()) {
            held(disk);
            long sector = freePage(disk) / 512;
            damage(disk, sector);
            DamageRecord record = recordAt(disk, sector * 512);
            KernelFilesystemProtection protection = fixture.agent().protection();

            ProtectionResult result = DeviceDenied.call(disk.deviceNumber(), () -> protection.clearFreeSpace(record, "test"));

            assertThat(result.done()).isFalse();
            assertThat(result.message()).contains("EPERM");
            assertThat(Freezes.frozen(disk.mountPoint())).as("thawed after the failed write").isFalse();
            assertThat(disk.badSectors()).isNotEmpty();
            assertThat(fixture.agent().ledger().find(record.id()).orElseThrow().state()).isEqualTo(DamageState.OPEN);
            assertThat(fixture.agent().ledger().history(io.daxguard.agent.ledger.FileKey.NONE))
                    .anyMatch(entry -> entry.action().equals("clearFreeSpace") && entry.principal().equals("test")
                            && entry.result().contains("EPERM"));
        }
    }

    /**
     * A filesystem in a partition: the damage is reported on the whole disk, recorded on the partition at its offset
     * there, and the zeros land on that page of the partition (its offset on the disk added), not a byte beside it.
     */
    @Test
    void onAPartitionTheZerosLandOnTheRecordedPageAndNotBesideIt() throws Exception {
        try (io.daxguard.testkit.ScratchFilesystem filesystem = io.daxguard.testkit.ScratchFilesystem.ext4()
                .partitioned().create()) {
            remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
            ObjectName name = ObjectNames.filesystem(filesystem.mountPoint().toString());
            long page = freePage(filesystem.mountPoint(), filesystem.deviceNumber());
            byte[] pattern = new byte[3 * PAGE];
            Arrays.fill(pattern, (byte) 0x5a);
            try (FileChannel partition = FileChannel.open(filesystem.device(), StandardOpenOption.WRITE,
                    ExtendedOpenOption.DIRECT)) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(4 * PAGE).alignedSlice(PAGE);
                buffer.put(pattern).flip();
                partition.write(buffer, page - PAGE); // three free pages, the damaged one in the middle
                partition.force(true);
            }
            long onDisk = filesystem.offsetOnDisk() + page;
            AgentCalls.reportFailure(remote, filesystem.disk().getFileName().toString(), onDisk / 512 + 1, 1L, 5);
            DamageRecord record = fixture.agent().ledger().records().stream()
                    .filter(candidate -> candidate.device().equals(deviceNumber(filesystem))).findFirst().orElseThrow();
            assertThat(record.offset()).isEqualTo(page + 512);

            String answer = (String) remote.invoke(name, "clearFreeSpaceDamage", new Object[0], new String[0]);

            assertThat(answer).startsWith("1 of 1 free-space record(s) cleared");
            assertThat(devicePage(filesystem.disk(), onDisk - PAGE)).containsOnly((byte) 0x5a);
            assertThat(devicePage(filesystem.disk(), onDisk)).containsOnly(0);
            assertThat(devicePage(filesystem.disk(), onDisk + PAGE)).containsOnly((byte) 0x5a);
            assertThat(fixture.agent().ledger().find(record.id()).orElseThrow().state())
                    .isEqualTo(DamageState.REWRITTEN);
        }
    }

    private static io.daxguard.spi.DeviceNumber deviceNumber(io.daxguard.testkit.ScratchFilesystem filesystem) {
        try {
            return filesystem.deviceNumber();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
