package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.linux.DirectoryWalk;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.daxguard.spi.LinuxPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Builds an {@link ExtentIndex} of a mounted filesystem from the filesystem itself: one {@code getdents64}
 * walk ({@link DirectoryWalk}) and, per regular file and directory, an open relative to its directory with
 * {@code O_NOFOLLOW}, {@code statx}, {@code FS_IOC_GETVERSION}, {@code FIEMAP} of the data, {@code FIEMAP}
 * with {@code FIEMAP_FLAG_XATTR}, and whatever the plugin's {@link ExtraExtentSource} adds.
 *
 * <p>Why a FIEMAP walk rather than reading inode tables and extent trees from the device: it is the
 * filesystem's own answer through supported interfaces, works for every filesystem with FIEMAP (ext4, XFS
 * without rmapbt), cannot misparse an on-disk format or race with a transaction, and costs one small set of
 * syscalls per file (see the figures in the report of issue 3). Files that vanish or cannot be opened
 * during the walk are skipped: the index is a snapshot of a live tree, and every answer from it is
 * confirmed against the live file anyway. Symlinks, devices, FIFOs and sockets are not mapped (a
 * symlink cannot be opened for FIEMAP without following it).
 */
public final class ExtentIndexBuilder {
    private static final int PROGRESS_EVERY = 1024;

    /** Hears how far a build is; called on the build thread, must return quickly. */
    @FunctionalInterface
    public interface ProgressListener {
        ProgressListener NONE = (directories, files, extents) -> {
        };

        void progress(long directories, long files, long extents);

        /** The scanner failed (a media error in an inode table, say); the build goes on with FIEMAP per file. */
        default void scannerFailed(IOException failure) {
        }
    }

    private final LinuxPath root;
    private final ExtraExtentSource extras;
    private final InodeScanner scanner;
    private final BooleanSupplier cancelled;
    private final ProgressListener listener;

    /**
     * @param root      the mount point (or any directory: the index covers the tree under it)
     * @param extras    blocks FIEMAP does not show; {@link ExtraExtentSource#NONE} if none
     * @param cancelled polled between files; when it turns true the build throws {@link CancellationException}
     * @param listener  progress, every 1024 files and at the end
     */
    public ExtentIndexBuilder(LinuxPath root, ExtraExtentSource extras, BooleanSupplier cancelled,
                              ProgressListener listener) {
        this(root, extras, null, cancelled, listener);
    }

    /**
     * A builder that takes files and extents from {@code scanner} and walks the directories only for names
     * (no file is opened); {@code scanner} null means FIEMAP per file.
     */
    public ExtentIndexBuilder(LinuxPath root, ExtraExtentSource extras, InodeScanner scanner, BooleanSupplier cancelled,
                              ProgressListener listener) {
        this.root = Objects.requireNonNull(root, "root is null");
        this.extras = Objects.requireNonNull(extras, "extras is null");
        this.scanner = scanner;
        this.cancelled = Objects.requireNonNull(cancelled, "cancelled is null");
        this.listener = Objects.requireNonNull(listener, "listener is null");
    }

    /** Walks and maps the whole tree; blocks the calling thread for the duration. */
    public ExtentIndex build() throws IOException {
        long started = System.nanoTime();
        try (NativeFile rootDirectory = NativeFile.openDirectory(root)) {
            FileStatus rootStatus = rootDirectory.status();
            if (scanner != null) {
                try {
                    return buildFromScanner(rootStatus.inode(), started);
                } catch (IOException e) {
                    listener.scannerFailed(e);
                }
            }
            Walk walk = new Walk(new IndexAssembler(rootStatus.inode()), rootStatus.device());
            walk.directoryPaths.add(root);
            walk.map(rootDirectory, rootStatus);
            try {
                DirectoryWalk.walk(root, walk::entry);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                walk.closeParent();
            }
            listener.progress(walk.directories(), walk.assembler.fileCount(), walk.assembler.extentCount());
            return walk.assembler.finish(root, started);
        }
    }

    /**
     * Names from a getdents walk (no opens), files and extents from the scanner. The two passes are
     * independent and fill disjoint columns of the assembler, so the scan runs on a helper thread this method
     * starts and always joins before returning ({@code daxguard-index-scan <root>}), while the walk runs on
     * the calling thread.
     */
    private ExtentIndex buildFromScanner(long rootInode, long started) throws IOException {
        IndexAssembler assembler = new IndexAssembler(rootInode);
        long[] files = {0};
        Throwable[] scanFailure = {null};
        boolean[] walkFailed = {false};
        BooleanSupplier stopScan = () -> cancelled.getAsBoolean() || walkFailed[0];
        Thread scan = new Thread(() -> {
            try {
                scanner.scan(new InodeScanner.Sink() {
                    @Override
                    public void file(long inode, long generation) {
                        assembler.addFile(inode, generation);
                        if (++files[0] % (PROGRESS_EVERY * 16) == 0) {
                            listener.progress(0, files[0], assembler.extentCount());
                        }
                    }

                    @Override
                    public void extent(long inode, long logical, long physical, long length, int flags) {
                        assembler.addExtent(inode, logical, physical, length, flags);
                    }
                }, stopScan);
            } catch (Throwable e) {
                scanFailure[0] = e;
            }
        }, "daxguard-index-scan " + root);
        scan.setDaemon(true);
        scan.start();
        int directories;
        try {
            directories = DirectoryWalk.walk(root, (parent, name, inode, type) -> {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("index build of " + root + " cancelled");
                }
                boolean isDirectory = type == DirectoryWalk.DT_DIR;
                if (isDirectory || type == DirectoryWalk.DT_REG || type == DirectoryWalk.DT_UNKNOWN) {
                    assembler.addLink(parent, name, inode, isDirectory);
                }
                return isDirectory;
            });
        } catch (IOException | RuntimeException e) {
            walkFailed[0] = true;
            throw e;
        } finally {
            joinUninterruptibly(scan);
        }
        if (scanFailure[0] instanceof IOException e) {
            throw e;
        }
        if (scanFailure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (scanFailure[0] instanceof Error e) {
            throw e;
        }
        listener.progress(directories, assembler.fileCount(), assembler.extentCount());
        return assembler.finish(root, started);
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The state of one walk; lives on the build thread only. */
    private final class Walk {
        final IndexAssembler assembler;
        final DeviceNumber device;
        final List<LinuxPath> directoryPaths = new ArrayList<>();
        final Set<Long> multiplyLinkedSeen = new HashSet<>();
        int openParent = -1;
        NativeFile parentDirectory;
        final FileMapper mapper = new FileMapper(extras);
        long visited;

        Walk(IndexAssembler assembler, DeviceNumber device) {
            this.assembler = assembler;
            this.device = device;
        }

        long directories() {
            return directoryPaths.size();
        }

        boolean entry(int parent, byte[] name, long inode, int type) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("index build of " + root + " cancelled");
            }
            boolean isDirectory = type == DirectoryWalk.DT_DIR;
            if (!isDirectory && type != DirectoryWalk.DT_REG && type != DirectoryWalk.DT_UNKNOWN) {
                return false;
            }
            try {
                if (isDirectory) {
                    directoryPaths.add(directoryPaths.get(parent).join(LinuxPath.of(name)));
                }
                mapChild(parent, name, inode, isDirectory);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (++visited % PROGRESS_EVERY == 0) {
                listener.progress(directories(), assembler.fileCount(), assembler.extentCount());
            }
            return isDirectory;
        }

        private void mapChild(int parent, byte[] name, long inode, boolean isDirectory) throws IOException {
            NativeFile child = openChild(parent, name, isDirectory);
            if (child == null) {
                if (isDirectory) {
                    assembler.addLink(parent, name, inode, true);
                }
                return;
            }
            try (child) {
                FileStatus status = child.status();
                boolean sameFilesystem = status.device().equals(device);
                assembler.addLink(parent, name, status.inode(), isDirectory);
                if (!sameFilesystem || !(status.isRegularFile() || status.isDirectory())) {
                    return;
                }
                if (status.links() > 1 && !isDirectory && !multiplyLinkedSeen.add(status.inode())) {
                    return;
                }
                map(child, status);
            }
        }

        private NativeFile openChild(int parent, byte[] name, boolean isDirectory) throws IOException {
            if (parent != openParent) {
                closeParent();
                try {
                    parentDirectory = NativeFile.openDirectory(directoryPaths.get(parent));
                    openParent = parent;
                } catch (NativeCallException e) {
                    return null;
                }
            }
            try {
                return parentDirectory.openChildNoFollow(LinuxPath.of(name), isDirectory);
            } catch (NativeCallException e) {
                return null;
            }
        }

        void closeParent() throws IOException {
            if (parentDirectory != null) {
                parentDirectory.close();
                parentDirectory = null;
                openParent = -1;
            }
        }

        void map(NativeFile file, FileStatus status) throws IOException {
            mapper.map(status.inode(), file, assembler);
        }
    }
}
