package io.daxguard.agent.topology;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What an {@code O_DIRECT} read or write on a block device (or on a file of a filesystem on it) must be
 * aligned to, as the device's request queue says in sysfs: offsets and lengths to the logical block size
 * ({@code queue/logical_block_size}: 512, 4096 on a 4Kn disk, up to 64 KiB), the buffer's address to the DMA
 * alignment ({@code queue/dma_alignment}, a mask: 511 means 512 bytes). A 512e disk (512-byte logical,
 * 4096-byte physical sectors) takes 512-byte I/O; only the logical size matters here. A read that breaks
 * either rule fails with EINVAL, and so does a bisection finer than a logical block: a logical block is the
 * smallest unit a device reads, fails and is repaired in.
 *
 * <p>Read once per device where the code has the device (a probe, a scrub, a repair) and passed down; never
 * cached for long, since a loop device can be given another block size.
 *
 * @param logicalBlockSize bytes, a power of two, at least 512
 * @param dmaAlignment     bytes a buffer's address must be a multiple of, a power of two
 */
public record DirectIoAlignment(int logicalBlockSize, int dmaAlignment) {
    /** The smallest logical block a Linux block device has. */
    public static final int MIN_LOGICAL_BLOCK_SIZE = 512;

    public DirectIoAlignment {
        if (logicalBlockSize < MIN_LOGICAL_BLOCK_SIZE || Integer.bitCount(logicalBlockSize) != 1) {
            throw new IllegalArgumentException("logical block size must be a power of two of at least 512 bytes, was "
                    + logicalBlockSize);
        }
        if (dmaAlignment < 1 || Integer.bitCount(dmaAlignment) != 1) {
            throw new IllegalArgumentException("DMA alignment must be a power of two, was " + dmaAlignment);
        }
    }

    /**
     * The alignment of the device {@code kernelName} ({@code loop3}, {@code sdb2}), read from
     * {@code <sysfs>/class/block/<name>/queue}; a partition has no queue of its own and takes its disk's.
     *
     * @throws IOException naming the file when the device is gone or its queue says something unreadable
     */
    public static DirectIoAlignment ofDevice(Path sysfs, String kernelName) throws IOException {
        return ofSysfsDevice(sysfs.resolve("class/block").resolve(kernelName));
    }

    /** As {@link #ofDevice(Path, String)}, for the device with this number ({@code <sysfs>/dev/block/M:m}). */
    public static DirectIoAlignment ofDevice(Path sysfs, DeviceNumber number) throws IOException {
        return ofSysfsDevice(sysfs.resolve("dev/block").resolve(number.major() + ":" + number.minor()));
    }

    private static DirectIoAlignment ofSysfsDevice(Path device) throws IOException {
        Path queue = device.resolve("queue");
        if (!Files.isDirectory(queue) && Files.exists(device.resolve("partition"))) {
            queue = device.toRealPath().getParent().resolve("queue");
        }
        if (!Files.isDirectory(queue)) {
            throw new NoSuchFileException(queue.toString(), null, "no request queue: not a block device now");
        }
        int logical = readInt(queue.resolve("logical_block_size"));
        long dmaMask = readInt(queue.resolve("dma_alignment"));
        try {
            return new DirectIoAlignment(logical, Math.toIntExact(dmaMask + 1));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IOException(queue + ": " + e.getMessage(), e);
        }
    }

    private static int readInt(Path file) throws IOException {
        String text = Files.readString(file).strip();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds \"" + text + "\", not a number", e);
        }
    }

    /**
     * What a buffer's address is aligned to: the DMA alignment, and at least the logical block size, which
     * kernels before 6.0 required of the buffer too (and filesystems' O_DIRECT paths still may).
     */
    public int bufferAlignment() {
        return Math.max(dmaAlignment, logicalBlockSize);
    }

    /** {@code bytes} rounded down to a whole logical block. */
    public long floor(long bytes) {
        return Math.floorDiv(bytes, logicalBlockSize) * logicalBlockSize;
    }

    /** {@code bytes} rounded up to a whole logical block. */
    public long ceil(long bytes) {
        return Math.floorDiv(Math.addExact(bytes, logicalBlockSize - 1), logicalBlockSize) * logicalBlockSize;
    }

    /** Whether {@code bytes} is a whole number of logical blocks. */
    public boolean isAligned(long bytes) {
        return bytes % logicalBlockSize == 0;
    }
}
