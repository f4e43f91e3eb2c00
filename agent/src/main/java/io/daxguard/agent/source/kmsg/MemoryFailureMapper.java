package io.daxguard.agent.source.kmsg;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps a poisoned page frame number ({@code Memory failure: 0x<pfn>: ...}) to the persistent-memory device
 * and byte offset it belongs to, through the physical ranges sysfs publishes:
 * <pre>
 *   &lt;sysfs&gt;/block/pmemN/device/resource   start of the namespace's data (hex, "0x..."); for an fsdax
 *   &lt;sysfs&gt;/block/pmemN/device/size       namespace the device is the pfn device, whose resource already
 *                                             skips the reserved memmap area (pmem's data_offset)
 *   &lt;sysfs&gt;/bus/dax/devices/daxX.Y/resource, size    device-dax instances, the same way
 * </pre>
 * The offset is {@code pfn * pageSize - resource}, as {@code pmem_pagemap_memory_failure} computes it.
 * sysfs is read at each call: namespaces come and go, and memory failures are rare.
 */
public final class MemoryFailureMapper {
    private final Path sysfs;
    private final long pageSize;

    public MemoryFailureMapper(Path sysfs, long pageSize) {
        this.sysfs = Objects.requireNonNull(sysfs, "sysfs is null");
        if (pageSize <= 0 || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("pageSize must be a power of two, was " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /** Where a poisoned page lies. */
    public record Location(String device, long offset, long length) {
        public Location {
            Objects.requireNonNull(device, "device is null");
        }
    }

    /** The device holding page {@code pfn}, or empty when no pmem or dax device covers it. */
    public Optional<Location> locate(long pfn) throws IOException {
        long physical = Math.multiplyExact(pfn, pageSize);
        Optional<Location> block = scan(sysfs.resolve("block"), "device", physical);
        return block.isPresent() ? block : scan(sysfs.resolve("bus/dax/devices"), ".", physical);
    }

    private Optional<Location> scan(Path directory, String resourceDirectory, long physical) throws IOException {
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                Path resources = entry.resolve(resourceDirectory);
                Optional<Long> start = readNumber(resources.resolve("resource"));
                Optional<Long> size = readNumber(resources.resolve("size"));
                if (start.isPresent() && size.isPresent() && physical >= start.get()
                        && physical - start.get() < size.get()) {
                    return Optional.of(new Location(entry.getFileName().toString(), physical - start.get(), pageSize));
                }
            }
        }
        return Optional.empty();
    }

    /** A sysfs number, hex with {@code 0x} or decimal; empty when the file is absent or not a number. */
    private static Optional<Long> readNumber(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file).strip();
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
        try {
            return Optional.of(text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text));
        } catch (NumberFormatException notANumber) {
            return Optional.empty();
        }
    }
}
