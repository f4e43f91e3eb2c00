package io.daxguard.testkit.conformance;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A file the suite wrote, and where the kernel says it lives: its identity ({@code statx} inode,
 * {@code FS_IOC_GETVERSION} generation) and its extents ({@code FIEMAP} with {@code FIEMAP_FLAG_SYNC}), read after
 * it was written and synced. This is the ground truth the plugin's answers are held to.
 *
 * @param name       the path inside the filesystem, for messages
 * @param path       the file
 * @param inode      its inode number
 * @param generation its inode generation
 * @param subvolume  its inode-number space ({@link FileOwner#subvolume()}), as the suite's subclass reads it; 0 on a
 *                   filesystem with one
 * @param extents    its extents that have a place on the device, in file order (inline data has none)
 */
public record WrittenFile(String name, Path path, long inode, long generation, long subvolume,
                         List<FiemapExtent> extents) {
    /** Bytes the suite writes in one go: a 4 KiB page, a whole number of blocks on every block size up to it. */
    public static final int PAGE = 4096;

    public WrittenFile {
        extents = List.copyOf(extents);
    }

    /** Reads the identity and extents of {@code relative} now; {@code subvolume} is its inode-number space. */
    public static WrittenFile observe(ConformanceFilesystem fs, String relative, long subvolume) throws IOException {
        Path path = fs.path(relative);
        try (NativeFile open = NativeFile.openReadOnly(path)) {
            List<FiemapExtent> extents = new ArrayList<>();
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, Fiemap.DEFAULT_BATCH, extent -> {
                if (!extent.hasNoPhysicalAddress()) {
                    extents.add(extent);
                }
                return true;
            });
            return new WrittenFile(relative, path, open.status().inode(), FileGeneration.of(open), subvolume,
                    extents);
        }
    }

    /** Whether {@code owner} names this file (subvolume, inode and generation). */
    public boolean isOwner(FileOwner owner) {
        return owner.subvolume() == subvolume && owner.inode() == inode && owner.generation() == generation;
    }

    /** Gives FIEMAP's physical addresses their places on devices, as {@link PluginConformanceSuite#placementsOf}. */
    @FunctionalInterface
    interface Placer {
        List<Placement> place(long fiemapPhysical, long length) throws IOException;
    }

    /** This file with its extents as they lie on {@code member}: offsets on that device; none if nothing is there. */
    WrittenFile placedOn(DeviceNumber member, Placer placer) throws IOException {
        List<FiemapExtent> placed = new ArrayList<>();
        for (FiemapExtent extent : extents) {
            for (Placement place : placer.place(extent.physical(), extent.length())) {
                if (place.device().equals(member)) {
                    placed.add(new FiemapExtent(extent.logical() + (place.fiemapPhysical() - extent.physical()),
                            place.deviceOffset(), place.length(), extent.flags()));
                }
            }
        }
        return new WrittenFile(name, path, inode, generation, subvolume, placed);
    }

    /** The extents holding written data (not unwritten preallocation). */
    public List<FiemapExtent> writtenExtents() {
        return extents.stream().filter(extent -> !extent.isUnwritten()).toList();
    }

    @Override
    public String toString() {
        return name + " (" + (subvolume == FileOwner.ONE_INODE_SPACE ? "" : "subvolume " + subvolume + ", ") + "inode "
                + inode + ", generation " + generation + ")";
    }

    /** Writes {@code pages} pages of random bytes to a new file and fsyncs it, so delayed allocation placed them. */
    static void writeRandom(Path file, int pages) throws IOException {
        byte[] content = new byte[pages * PAGE];
        new Random(file.toString().hashCode()).nextBytes(content);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content));
            channel.force(true);
        }
    }

    /** Writes one page at every other page offset, {@code pages} times: each page an extent of its own. */
    static void writeEveryOtherPage(Path file, int pages) throws IOException {
        byte[] content = new byte[PAGE];
        new Random(file.toString().hashCode()).nextBytes(content);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < pages; i++) {
                channel.write(ByteBuffer.wrap(content), 2L * i * PAGE);
            }
            channel.force(true);
        }
    }

    /** Preallocates {@code pages} pages ({@code fallocate}): unwritten extents, which read as zeros. */
    static void preallocate(Path file, int pages) throws IOException {
        Command.run("fallocate", "--length", String.valueOf((long) pages * PAGE), file.toString());
        Command.run("sync", "--file-system", file.toString());
    }

    /** A reflinked copy ({@code cp --reflink=always}): both files share every block. */
    static void reflink(Path original, Path copy) throws IOException {
        Command.run("cp", "--reflink=always", original.toString(), copy.toString());
        Command.run("sync", "--file-system", copy.toString());
    }
}
