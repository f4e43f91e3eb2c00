package io.daxguard.testkit;

import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A disk with media errors you choose: a real filesystem on a loop device whose backing file is served
 * through FUSE by a small server that fails reads of "bad" 512-byte sectors with EIO. A write covering a
 * whole bad sector clears it, like pmem poison. Bad sectors can be added and removed while mounted.
 *
 * <pre>
 *   filesystem (mkfs.xfs -m rmapbt=1,reflink=1, or mkfs.ext4) mounted at  dir/mnt
 *   loop device (losetup --direct-io=off --sector-size N)          over  dir/fuse/disk.img
 *   FUSE server process ({@link FaultyDiskServer}, direct_io)      over  dir/backing.img (sparse)
 * </pre>
 *
 * <p>Because the filesystem sits straight on the loop device (no partition), a loop sector is
 * {@code fiemap physical / 512}; {@link #sectorsOf(Path)} does that. Sectors are 512 bytes whatever the loop
 * device's logical sector size ({@link Builder#logicalSectorSize}, 512 by default, 4096 for a 4Kn disk): on a
 * 4Kn disk one bad 512-byte sector makes its whole 4096-byte logical block fail, as on a real one. The kernel reacts as to a real disk:
 * the read fails with EIO and {@code I/O error, dev loopN, sector S} is logged. By default the server
 * completes the good part of a request and fails from the bad sector (a SCSI medium error), so S is the bad
 * sector; {@link Builder#failWholeRequests()} fails the whole request (NVMe), so S is the request's start.
 *
 * <p>Reads must reach the device to fail: read with O_DIRECT, or drop caches, or poison before the first
 * read. The FUSE file is opened with {@code direct_io}, so no FUSE page cache answers in the server's place;
 * the loop device uses buffered I/O because that needs nothing from FUSE beyond plain reads and writes.
 * Everything runs as root, the mount owner, so the FUSE mount needs no {@code allow_other}.
 *
 * <p>Use as a JUnit extension or with try-with-resources. {@link #close()} undoes every step in reverse,
 * also after a half-done {@link #create()}: unmount the filesystem (lazily if busy), detach the loop device,
 * unmount FUSE (lazily if busy), stop the server (killed after a bounded wait), delete the directory. A JVM
 * shutdown hook closes disks a test forgot. If the JVM is killed outright, the server sees its stdin end
 * and aborts the FUSE connection, so the loop device fails I/O instead of hanging; the loop device and the
 * filesystem mount are then left for a human. It touches only what it created.
 *
 * <p>Thread-safe: control calls and {@code close} are serialised on this object. It owns no thread.
 *
 * <pre>{@code
 * try (FaultyDisk disk = FaultyDisk.xfs().create()) {
 *     Path file = disk.path("data");
 *     Files.write(file, bytes);                           // then fsync, so it has blocks
 *     disk.poison(disk.sectorOf(file, 4096), 1);          // the first sector of its second page
 *     // an O_DIRECT read of that page now fails with EIO; dmesg: "I/O error, dev loopN, sector S"
 *     // rewriting the whole page clears it: disk.badSectors() is empty again
 * }
 * }</pre>
 */
public final class FaultyDisk extends LoopFilesystem {
    /** Where compiled servers are cached, relative to the working directory (the module under Maven). */
    static final Path SERVER_CACHE = Path.of("target", "faulty-disk-server");
    private static final Set<FaultyDisk> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(FaultyDisk::closeForgotten, "faulty-disk-cleanup"));
    }

    private final boolean failWholeRequests;
    private final int logicalSectorSize;
    private Path directory;
    private Path fuseDirectory;
    private Path servedImage;
    private FaultyDiskServer server;

    private FaultyDisk(Builder builder) {
        super(builder.type, builder.sizeBytes, builder.mkfsOptionsMatchingTheSectorSize());
        this.failWholeRequests = builder.failWholeRequests;
        this.logicalSectorSize = builder.logicalSectorSize;
    }

    /** XFS with the reverse-map btree and reflink, as daxguard wants it. */
    public static Builder xfs() {
        return new Builder("xfs").mkfsOptions("-m", "rmapbt=1,reflink=1");
    }

    /** ext4 with mkfs defaults. */
    public static Builder ext4() {
        return new Builder("ext4");
    }

    /** Any type whose {@code mkfs.<type>} exists. */
    public static Builder of(String type) {
        return new Builder(type);
    }

    /** Builds the server if needed, starts it, attaches, makes the filesystem and mounts it. */
    @Override
    public synchronized FaultyDisk create() throws IOException {
        Privileges.requireRootLoopFuseAnd("losetup", "mount", "umount", "mkfs." + type());
        if (directory != null) {
            throw new IllegalStateException("already created: " + directory);
        }
        OPEN.add(this);
        makeOrUndo(this::make);
        return this;
    }

    private void make() throws IOException {
        Path binary = FaultyDiskServer.binary(SERVER_CACHE.toAbsolutePath());
        directory = Files.createTempDirectory("daxguard-faulty-" + type() + "-");
        pushUndo(this::deleteDirectory);
        Path backing = sparseFile(directory.resolve("backing.img"), sizeBytes());
        fuseDirectory = Files.createDirectory(directory.resolve("fuse"));
        server = FaultyDiskServer.start(binary, backing, fuseDirectory, directory.resolve("server.log"),
                failWholeRequests);
        pushUndo(server::close);
        pushUndo(() -> Teardown.unmount(fuseDirectory, "-z", "fusermount3", "-u"));
        servedImage = fuseDirectory.resolve("disk.img");
        formatAndMount(attachLoop(servedImage, "--direct-io=off", "--sector-size", String.valueOf(logicalSectorSize)),
                directory.resolve("mnt"));
    }

    /** Makes {@code count} sectors from {@code sector} on bad: reads touching them fail with EIO from now on. */
    public synchronized void poison(long sector, int count) throws IOException {
        SectorRange range = new SectorRange(sector, count);
        requireServer().command("poison " + range.start() + " " + range.count());
    }

    public void poison(SectorRange range) throws IOException {
        poison(range.start(), Math.toIntExact(range.count()));
    }

    /** Makes the sectors good again without writing them (their old data reads back). */
    public synchronized void clear(long sector, int count) throws IOException {
        SectorRange range = new SectorRange(sector, count);
        requireServer().command("clear " + range.start() + " " + range.count());
    }

    public void clear(SectorRange range) throws IOException {
        clear(range.start(), Math.toIntExact(range.count()));
    }

    /** The bad sectors now, as maximal runs in ascending order. */
    public synchronized List<SectorRange> badSectors() throws IOException {
        String[] numbers = requireServer().command("list").split(" ");
        List<SectorRange> ranges = new ArrayList<>();
        for (int i = 0; i + 1 < numbers.length; i += 2) {
            ranges.add(new SectorRange(Long.parseLong(numbers[i]), Long.parseLong(numbers[i + 1])));
        }
        return List.copyOf(ranges);
    }

    /**
     * The loop device sectors holding {@code file}'s data, in file order (flushed first: delayed allocations
     * get their place). Unwritten (preallocated) extents are included; inline data has no sectors.
     */
    public List<SectorRange> sectorsOf(Path file) throws IOException {
        List<SectorRange> sectors = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, Fiemap.DEFAULT_BATCH, extent -> {
                if (!extent.hasNoPhysicalAddress()) {
                    sectors.add(SectorRange.coveringBytes(extent.physical(), extent.length()));
                }
                return true;
            });
        }
        return List.copyOf(sectors);
    }

    /** The loop sector holding byte {@code offset} of {@code file}. */
    public long sectorOf(Path file, long offset) throws IOException {
        return FilePlacement.physicalOf(file, offset) / SectorRange.SECTOR_SIZE;
    }

    private FaultyDiskServer requireServer() {
        if (server == null || mountPoint() == null) {
            throw new IllegalStateException("the faulty disk is not created or already closed");
        }
        return server;
    }

    /** Deletes the directory unless something is still mounted in it (then deleting would reach into it). */
    private void deleteDirectory() throws IOException {
        String prefix = directory + "/";
        // A byte per char: another mount's name may be no UTF-8 (this directory's is ASCII, so it compares as text).
        List<String> stillMounted = Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.ISO_8859_1)
                .stream()
                .map(line -> line.split(" ")[1])
                .filter(point -> point.startsWith(prefix))
                .toList();
        if (!stillMounted.isEmpty()) {
            throw new IOException("left " + directory + " in place: still mounted there: " + stillMounted);
        }
        Teardown.deleteTree(directory);
    }

    @Override
    String description() {
        return "faulty " + type() + " disk in " + directory;
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            super.close();
        } finally {
            forgetMountPoint();
            OPEN.remove(this);
        }
    }

    private static void closeForgotten() {
        for (FaultyDisk disk : OPEN) {
            try {
                disk.close();
            } catch (IOException | RuntimeException e) {
                System.err.println("faulty disk cleanup at JVM exit failed: " + e);
            }
        }
    }

    /** The kernel's name of the device, as in {@code I/O error, dev loop3, sector 8}. */
    public String deviceName() {
        return device().getFileName().toString();
    }

    /** The loop device's logical sector size in bytes: the smallest unit it reads and writes. */
    public int logicalSectorSize() {
        return logicalSectorSize;
    }

    /** The FUSE-served file behind the loop device. */
    public Path servedImage() {
        return servedImage;
    }

    /** The directory holding everything this disk made (backing file, FUSE and filesystem mount points). */
    public Path directory() {
        return directory;
    }

    /** The FUSE server's process id, to check that it is gone. */
    public long serverPid() {
        return requireServer().pid();
    }

    /** Settings of a faulty disk. */
    public static final class Builder {
        private final String type;
        private long sizeBytes = 320L << 20;
        private final List<String> mkfsOptions = new ArrayList<>();
        private boolean failWholeRequests;
        private int logicalSectorSize = SectorRange.SECTOR_SIZE;

        private Builder(String type) {
            this.type = type;
        }

        /** Size of the disk (default 320 MiB, above the 300 MiB XFS minimum); a sparse file on the host. */
        public Builder sizeMiB(long mebibytes) {
            if (mebibytes < 1) {
                throw new IllegalArgumentException("size must be at least 1 MiB, was " + mebibytes);
            }
            this.sizeBytes = mebibytes << 20;
            return this;
        }

        /** Replaces the mkfs options. */
        public Builder mkfsOptions(String... options) {
            mkfsOptions.clear();
            mkfsOptions.addAll(List.of(options));
            return this;
        }

        /**
         * Fails a whole request that touches a bad sector (NVMe-like) instead of completing its good prefix
         * (SCSI-like): the kernel's {@code I/O error} line then names the request's start, not the bad sector.
         */
        public Builder failWholeRequests() {
            this.failWholeRequests = true;
            return this;
        }

        /**
         * The loop device's logical sector size ({@code losetup --sector-size}): 512 (the default), 4096 for a
         * 4Kn disk, any power of two up to 64 KiB. mkfs is made to match: XFS {@code -s size=N} (and
         * {@code -b size=N} above 4096, since a block holds whole sectors), ext4 {@code -b N}. The loop driver
         * cannot make a 512e disk (512-byte logical, 4096-byte physical sectors): it reports the physical
         * size equal to the logical one.
         */
        public Builder logicalSectorSize(int bytes) {
            if (bytes < SectorRange.SECTOR_SIZE || bytes > 64 << 10 || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException("logical sector size must be a power of two from 512 to 65536, was "
                        + bytes);
            }
            this.logicalSectorSize = bytes;
            return this;
        }

        /** The options given, and those that make the filesystem's sectors and blocks fit the logical sector. */
        private List<String> mkfsOptionsMatchingTheSectorSize() {
            List<String> options = new ArrayList<>(mkfsOptions);
            if (logicalSectorSize == SectorRange.SECTOR_SIZE) {
                return options; // mkfs defaults fit 512-byte sectors
            }
            String size = String.valueOf(logicalSectorSize);
            switch (type) {
                case "xfs" -> {
                    options.addAll(List.of("-s", "size=" + size));
                    if (logicalSectorSize > 4096) {
                        options.addAll(List.of("-b", "size=" + size));
                    }
                }
                case "ext4" -> options.addAll(List.of("-b", size));
                default -> {
                    // Other types pick their sizes from the device or from the options given.
                }
            }
            return options;
        }

        public FaultyDisk build() {
            return new FaultyDisk(this);
        }

        /** {@link #build()} then {@link FaultyDisk#create()}. */
        public FaultyDisk create() throws IOException {
            return build().create();
        }
    }
}
