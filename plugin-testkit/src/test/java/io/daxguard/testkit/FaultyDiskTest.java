package io.daxguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("mount")
class FaultyDiskTest {
    private static final int PAGE = 4096;
    private static final int FILE_SIZE = 16 * PAGE;
    /** The page of the test file that gets poisoned, and a sector inside it (not its first). */
    private static final long POISONED_PAGE = 2L * PAGE;
    private static final int SECTOR_IN_PAGE = 3;
    /** DEFAULT_RATELIMIT_INTERVAL (5 s) and a margin. */
    private static final long KERNEL_RATE_LIMIT_WINDOW_MILLIS = 5_500;
    /** The content of the file the tests poison, from {@link #content(long)}. */
    private static final long VICTIM_SEED = 1;

    /** A test run once on XFS and once on ext4; its parameter is the type. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs", "ext4"})
    @interface OnXfsAndExt4 {
    }

    @OnXfsAndExt4
    void directReadOfAPoisonedBlockFailsWithInputOutputError(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Victim victim = writePoisonedVictim(disk);

            assertThatThrownBy(() -> readDirect(victim.file(), POISONED_PAGE, PAGE))
                    .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");
        }
    }

    @OnXfsAndExt4
    void filesWithoutPoisonedSectorsStillRead(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Path victim = writeFile(disk, "victim", VICTIM_SEED);
            Path bystander = writeFile(disk, "bystander", 2);
            disk.poison(poisonedSector(disk, victim), 1);

            assertThat(readDirect(bystander, 0, FILE_SIZE)).isEqualTo(content(2));
        }
    }

    @OnXfsAndExt4
    void poisonAddedAfterASuccessfulReadFailsTheNextDirectRead(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Path file = writeFile(disk, "victim", VICTIM_SEED);
            readDirect(file, 0, FILE_SIZE);
            disk.poison(poisonedSector(disk, file), 1);

            assertThatThrownBy(() -> readDirect(file, 0, FILE_SIZE)).isInstanceOf(IOException.class);
        }
    }

    @OnXfsAndExt4
    void poisonAddedAfterASuccessfulReadFailsABufferedReadOnceCachesAreDropped(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Path file = writeFile(disk, "victim", VICTIM_SEED);
            Files.readAllBytes(file);
            disk.poison(poisonedSector(disk, file), 1);
            // Page cache only (1): enough for the read to reach the device, gentle on a shared machine.
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1\n");

            assertThatThrownBy(() -> Files.readAllBytes(file)).isInstanceOf(IOException.class);
        }
    }

    @OnXfsAndExt4
    void rewritingThePoisonedPageMakesItReadableAgain(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Victim victim = writePoisonedVictim(disk);
            byte[] replacement = new byte[PAGE];
            new Random(7).nextBytes(replacement);

            rewritePage(victim.file(), POISONED_PAGE, replacement);

            assertThat(readDirect(victim.file(), POISONED_PAGE, PAGE)).isEqualTo(replacement);
        }
    }

    @OnXfsAndExt4
    void rewritingThePoisonedPageRemovesItFromTheBadSectors(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Victim victim = writePoisonedVictim(disk);

            rewritePage(victim.file(), POISONED_PAGE, new byte[PAGE]);

            assertThat(disk.badSectors()).noneMatch(range -> range.contains(victim.sector()));
        }
    }

    @OnXfsAndExt4
    void clearMakesTheOldDataReadableAgain(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Victim victim = writePoisonedVictim(disk);

            disk.clear(victim.sector(), 1);

            assertThat(readDirect(victim.file(), 0, FILE_SIZE)).isEqualTo(content(VICTIM_SEED));
        }
    }

    @OnXfsAndExt4
    void kernelLogsAnIoErrorNamingTheLoopDeviceAndTheBadSector(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Victim victim = writePoisonedVictim(disk);

            List<String> logged = kernelLogOfFailingRead(disk, victim.file());

            assertThat(logged).anyMatch(
                    line -> line.contains("I/O error, dev " + disk.deviceName() + ", sector " + victim.sector() + " "));
        }
    }

    @Test
    void failingWholeRequestsMakesTheKernelNameTheStartOfTheRequest() throws IOException {
        try (FaultyDisk disk = FaultyDisk.xfs().failWholeRequests().create()) {
            Path file = writeFile(disk, "victim", VICTIM_SEED);
            long requestStart = disk.sectorOf(file, POISONED_PAGE);
            disk.poison(requestStart + SECTOR_IN_PAGE, 1);

            List<String> logged = kernelLogOfFailingRead(disk, file);

            assertThat(logged).anyMatch(
                    line -> line.contains("I/O error, dev " + disk.deviceName() + ", sector " + requestStart + " "));
        }
    }

    @OnXfsAndExt4
    void poisoningTheSectorsOfAFileFailsAReadOfItsLastPage(String type) throws IOException {
        try (FaultyDisk disk = create(type)) {
            Path file = writeFile(disk, "victim", VICTIM_SEED);
            for (SectorRange range : disk.sectorsOf(file)) {
                disk.poison(range);
            }

            assertThatThrownBy(() -> readDirect(file, FILE_SIZE - PAGE, PAGE)).isInstanceOf(IOException.class);
        }
    }

    @OnXfsAndExt4
    void aDiskMadeWith4096ByteLogicalSectorsHasThemInSysfs(String type) throws IOException {
        try (FaultyDisk disk = builder(type).logicalSectorSize(4096).create()) {
            Path queue = Path.of("/sys/class/block", disk.deviceName(), "queue");

            assertThat(Files.readString(queue.resolve("logical_block_size")).strip()).isEqualTo("4096");
        }
    }

    /**
     * A loop device's disk is identified by its backing file (device and inode): two faulty disks made one after the
     * other must not look like one, though FUSE reuses anonymous device numbers.
     */
    @Test
    void twoFaultyDisksMadeOneAfterTheOtherServeImagesOfDifferentIdentity() throws IOException {
        Object first;
        try (FaultyDisk disk = FaultyDisk.ext4().create()) {
            first = java.nio.file.Files.readAttributes(disk.servedImage(),
                    java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        }
        try (FaultyDisk disk = FaultyDisk.ext4().create()) {
            assertThat(java.nio.file.Files.readAttributes(disk.servedImage(),
                    java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isNotEqualTo(first);
        }
    }

    @Test
    void aLogicalSectorSizeThatIsNoPowerOfTwoIsRefused() {
        assertThatThrownBy(() -> FaultyDisk.xfs().logicalSectorSize(3000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }

    @Test
    void badSectorsListsMaximalRunsOfWhatIsPoisoned() throws IOException {
        try (FaultyDisk disk = FaultyDisk.ext4().create()) {
            disk.poison(10, 5);
            disk.poison(12, 10);
            disk.clear(14, 2);
            disk.poison(40, 1);

            assertThat(disk.badSectors()).containsExactly(
                    new SectorRange(10, 4), new SectorRange(16, 6), new SectorRange(40, 1));
        }
    }

    @Test
    void poisonBeyondTheEndOfTheDiskIsRefused() throws IOException {
        try (FaultyDisk disk = FaultyDisk.ext4().sizeMiB(64).create()) {
            long sectors = (64L << 20) / SectorRange.SECTOR_SIZE;

            assertThatThrownBy(() -> disk.poison(sectors - 1, 2)).isInstanceOf(IOException.class)
                    .hasMessageContaining("outside the image");
        }
    }

    @Test
    void closeAfterAFailingBodyLeavesNoMountBehind() throws IOException {
        Created created = createAndFail();

        assertThat(Files.readAllLines(Path.of("/proc/self/mounts"), java.nio.charset.StandardCharsets.ISO_8859_1))
                .noneMatch(line -> line.contains(created.directory().toString()));
    }

    @Test
    void closeAfterAFailingBodyLeavesNoLoopDeviceBehind() throws IOException {
        Created created = createAndFail();

        // After a lazy FUSE unmount a leaked loop device would show its file as "/disk.img".
        assertThat(Command.run("losetup", "--all").lines())
                .noneMatch(line -> line.contains(created.directory().toString())
                        || line.startsWith(created.device() + ":") && line.endsWith("(/disk.img)"));
    }

    @Test
    void closeAfterAFailingBodyLeavesNoServerProcessBehind() throws IOException {
        Created created = createAndFail();

        assertThat(ProcessHandle.of(created.serverPid()).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void closeAfterAFailingBodyDeletesItsDirectory() throws IOException {
        Created created = createAndFail();

        assertThat(created.directory()).doesNotExist();
    }

    private record Created(Path directory, Path device, long serverPid) {
    }

    /** Creates a disk and fails inside its try-with-resources block; a missing privilege still skips. */
    private static Created createAndFail() throws IOException {
        Created created = null;
        try (FaultyDisk disk = FaultyDisk.ext4().sizeMiB(64).create()) {
            created = new Created(disk.directory(), disk.device(), disk.serverPid());
            Files.writeString(disk.path("written-before-failing"), "x");
            throw new BodyFailed();
        } catch (BodyFailed expected) {
            return created;
        }
    }

    private static final class BodyFailed extends RuntimeException {
        BodyFailed() {
            super("the test body failed");
        }
    }

    private static FaultyDisk create(String type) throws IOException {
        return builder(type).create();
    }

    private static FaultyDisk.Builder builder(String type) {
        return type.equals("xfs") ? FaultyDisk.xfs() : FaultyDisk.ext4();
    }

    private static long poisonedSector(FaultyDisk disk, Path file) throws IOException {
        return disk.sectorOf(file, POISONED_PAGE) + SECTOR_IN_PAGE;
    }

    /** A written file with one bad sector inside its {@link #POISONED_PAGE}. */
    private record Victim(Path file, long sector) {
    }

    /** Writes the file most tests are about, {@code victim}, and poisons one sector of its poisoned page. */
    private static Victim writePoisonedVictim(FaultyDisk disk) throws IOException {
        Path file = writeFile(disk, "victim", VICTIM_SEED);
        long sector = poisonedSector(disk, file);
        disk.poison(sector, 1);
        return new Victim(file, sector);
    }

    private static byte[] content(long seed) {
        byte[] bytes = new byte[FILE_SIZE];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Writes and fsyncs a file, so its blocks are allocated and on the device. */
    private static Path writeFile(FaultyDisk disk, String name, long seed) throws IOException {
        Path file = disk.path(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content(seed)));
            channel.force(true);
        }
        return file;
    }

    /** What daxguard's recovery does: pwrite whole pages, fsync. */
    private static void rewritePage(Path file, long offset, byte[] page) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(page), offset);
            channel.force(true);
        }
    }

    /** An O_DIRECT read: it reaches the device whatever is cached. */
    private static byte[] readDirect(Path file, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length + PAGE).alignedSlice(PAGE);
        buffer.limit(length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    break;
                }
            }
        }
        byte[] bytes = new byte[buffer.flip().remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /**
     * Reads the poisoned page with O_DIRECT (which must fail) and returns the kernel log lines that followed.
     * The kernel prints at most 10 {@code I/O error} lines per 5 s for the whole machine (printk_ratelimited
     * in blk_print_req_error, not tunable), and other tests or users may have used them up: when no line names
     * this disk, the rate limit's window is waited out and the read repeated, twice at most. This is the one
     * wait in the suite; it is for a kernel rate limit, not for synchronisation, and normally never happens.
     */
    private static List<String> kernelLogOfFailingRead(FaultyDisk disk, Path file) throws IOException {
        for (int attempt = 1; ; attempt++) {
            String marker = markKernelLog();
            assertThatThrownBy(() -> readDirect(file, POISONED_PAGE, PAGE)).isInstanceOf(IOException.class);
            List<String> logged = kernelLogAfter(marker);
            if (attempt == 3 || logged.stream().anyMatch(line -> line.contains("I/O error, dev " + disk.deviceName() + ","))) {
                return logged;
            }
            try {
                Thread.sleep(KERNEL_RATE_LIMIT_WINDOW_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting out the kernel's rate limit", e);
            }
        }
    }

    /** Writes a unique line into the kernel log, so only lines after it are looked at. */
    private static String markKernelLog() throws IOException {
        String marker = "daxguard FaultyDiskTest marker " + UUID.randomUUID();
        Files.writeString(Path.of("/dev/kmsg"), marker + "\n", StandardCharsets.UTF_8);
        return marker;
    }

    private static List<String> kernelLogAfter(String marker) throws IOException {
        List<String> lines = Command.run("dmesg").lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                at = i;
            }
        }
        assertThat(at).as("marker %s in dmesg", marker).isNotNegative();
        return lines.subList(at + 1, lines.size());
    }
}
