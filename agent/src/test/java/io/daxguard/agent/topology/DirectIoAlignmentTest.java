package io.daxguard.agent.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a device's O_DIRECT alignment from a sysfs laid out as the kernel lays it out: devices under
 * {@code devices/}, a partition inside its disk's directory, {@code class/block} and {@code dev/block} links.
 */
class DirectIoAlignmentTest {
    @TempDir
    Path sysfs;
    private Path disk;

    /** A 4Kn loop disk {@code loop9} (7:9) with a partition {@code loop9p1}. */
    @BeforeEach
    void fourKnDiskWithAPartition() throws IOException {
        disk = Files.createDirectories(sysfs.resolve("devices/virtual/block/loop9"));
        Path queue = Files.createDirectories(disk.resolve("queue"));
        Files.writeString(queue.resolve("logical_block_size"), "4096\n");
        Files.writeString(queue.resolve("dma_alignment"), "511\n");
        Path partition = Files.createDirectories(disk.resolve("loop9p1"));
        Files.writeString(partition.resolve("partition"), "1\n");
        Path classBlock = Files.createDirectories(sysfs.resolve("class/block"));
        Files.createSymbolicLink(classBlock.resolve("loop9"), disk);
        Files.createSymbolicLink(classBlock.resolve("loop9p1"), partition);
        Files.createSymbolicLink(Files.createDirectories(sysfs.resolve("dev/block")).resolve("7:9"), disk);
    }

    @Test
    void aDiskHasTheLogicalBlockSizeAndDmaAlignmentOfItsQueue() throws IOException {
        assertThat(DirectIoAlignment.ofDevice(sysfs, "loop9")).isEqualTo(new DirectIoAlignment(4096, 512));
    }

    @Test
    void aPartitionHasItsDisksAlignment() throws IOException {
        assertThat(DirectIoAlignment.ofDevice(sysfs, "loop9p1")).isEqualTo(new DirectIoAlignment(4096, 512));
    }

    @Test
    void aDeviceNumberLeadsToTheSameQueue() throws IOException {
        assertThat(DirectIoAlignment.ofDevice(sysfs, new DeviceNumber(7, 9))).isEqualTo(new DirectIoAlignment(4096, 512));
    }

    @Test
    void aGarbledNumberIsNamedWithItsFile() throws IOException {
        Files.writeString(disk.resolve("queue/logical_block_size"), "4k\n");

        assertThatThrownBy(() -> DirectIoAlignment.ofDevice(sysfs, "loop9")).isInstanceOf(IOException.class)
                .hasMessageContaining("loop9/queue/logical_block_size holds \"4k\"");
    }

    @Test
    void aDeviceThatIsGoneIsRefused() {
        assertThatThrownBy(() -> DirectIoAlignment.ofDevice(sysfs, "loop10")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aLogicalBlockSizeThatIsNoPowerOfTwoIsRefused() {
        assertThatThrownBy(() -> new DirectIoAlignment(3000, 512)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }

    @Test
    void offsetsRoundOutToWholeLogicalBlocks() {
        DirectIoAlignment fourKn = new DirectIoAlignment(4096, 512);

        assertThat(new long[] {fourKn.floor(10_000), fourKn.ceil(10_000)}).containsExactly(8192, 12288);
    }

    @Test
    void aBufferIsAlignedToTheLogicalBlockEvenWhenTheDmaAlignmentIsLess() {
        assertThat(new DirectIoAlignment(4096, 512).bufferAlignment()).isEqualTo(4096);
    }
}
