package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An open file descriptor, for the calls the JDK cannot make (ioctl, statx on the descriptor, O_NOFOLLOW
 * opens relative to a directory). Closed exactly once; not shared between threads while open unless every
 * call on it is itself thread-safe in the kernel (ioctl, pread and statx are).
 *
 * <p>Paths and names go to the kernel as the bytes of a {@link LinuxPath}; the {@link Path} variants are for
 * paths the JDK made from text (device nodes, configured directories) and pass the bytes the JDK would.
 */
public final class NativeFile implements AutoCloseable {
    private final int fd;
    private final String name;
    /** Set once, by the one close that really closes the descriptor; a number closed twice may be reused. */
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private NativeFile(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** Takes ownership of a descriptor another wrapper of this package created (fanotify's). */
    static NativeFile adopt(int fd, String name) {
        return new NativeFile(fd, name);
    }

    /** Opens a file or directory read-only; follows symlinks (for mount points and devices). */
    public static NativeFile openReadOnly(LinuxPath path) throws NativeCallException {
        return open(path, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK);
    }

    /** {@link #openReadOnly(LinuxPath)} of a path the JDK made. */
    public static NativeFile openReadOnly(Path path) throws NativeCallException {
        return openReadOnly(LinuxPath.of(path));
    }

    /**
     * Opens a file or block device read-only with {@code O_DIRECT}: reads bypass the page cache and reach the
     * device, so a bad sector fails the read instead of being answered from memory. Buffers, offsets and
     * lengths must be aligned to the device's logical block size.
     */
    public static NativeFile openDirect(Path path) throws NativeCallException {
        return open(LinuxPath.of(path), LibC.O_RDONLY | arch().oDirect() | LibC.O_CLOEXEC);
    }

    /**
     * Opens a block device for writing with {@code O_DIRECT} and without {@code O_EXCL}: the writes reach the device
     * (a pmem namespace clears poison when a whole page is written there), and a device with a filesystem mounted on
     * it can be opened, which {@code O_EXCL} refuses (EBUSY). The caller must make sure nothing of the filesystem is
     * in the bytes it writes. Buffers, offsets and lengths must be aligned to the logical block size.
     */
    public static NativeFile openDirectWrite(Path path) throws NativeCallException {
        return open(LinuxPath.of(path), LibC.O_WRONLY | arch().oDirect() | LibC.O_CLOEXEC);
    }

    /** Opens a directory read-only. */
    public static NativeFile openDirectory(LinuxPath path) throws NativeCallException {
        return open(path, LibC.O_RDONLY | arch().oDirectory() | LibC.O_CLOEXEC);
    }

    /** {@link #openDirectory(LinuxPath)} of a path the JDK made. */
    public static NativeFile openDirectory(Path path) throws NativeCallException {
        return openDirectory(LinuxPath.of(path));
    }

    /** Opens a directory read-only, refusing (ELOOP) when the last component is a symlink. */
    public static NativeFile openDirectoryNoFollow(LinuxPath path) throws NativeCallException {
        return open(path, LibC.O_RDONLY | arch().oDirectory() | arch().oNofollow() | LibC.O_CLOEXEC);
    }

    /**
     * Opens a mount point for one query and checks it still shows the filesystem on {@code device}; holders
     * call this per query rather than keeping a descriptor, which would make the administrator's
     * {@code umount} fail with EBUSY.
     *
     * @throws NativeCallException when it cannot be opened
     * @throws java.io.IOException when another filesystem is mounted there now
     */
    public static NativeFile openMountPoint(LinuxPath mountPoint, io.daxguard.spi.DeviceNumber device)
            throws IOException {
        NativeFile opened = openDirectory(mountPoint);
        try {
            io.daxguard.spi.DeviceNumber shown = opened.status().device();
            if (!shown.equals(device)) {
                throw new IOException(mountPoint + " shows device " + shown + " now, not " + device
                        + "; the topology must be refreshed");
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            try {
                opened.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static NativeFile open(LinuxPath path, int flags) throws NativeCallException {
        try {
            return new NativeFile(LibC.open(path.nulTerminated(), flags, 0), path.display());
        } catch (LastErrorException e) {
            throw NativeCallException.from("open", path, e);
        }
    }

    /**
     * Opens {@code name} inside this directory without following a symlink in its last component (a
     * symlink gives ELOOP, for anything but {@code O_PATH}); read-only.
     */
    public NativeFile openChildNoFollow(LinuxPath name, boolean directory) throws NativeCallException {
        int flags = LibC.O_RDONLY | arch().oNofollow() | LibC.O_CLOEXEC
                | (directory ? arch().oDirectory() : LibC.O_NONBLOCK);
        try {
            return new NativeFile(LibC.openat(fd(), name.nulTerminated(), flags, 0), childName(name));
        } catch (LastErrorException e) {
            throw NativeCallException.from("openat", childName(name), e);
        }
    }

    /** How {@link #openHandle} opens the file a handle names. */
    public enum HandleAccess {
        /** {@code O_PATH}: enough for {@link #status}, and safe for any kind of file (no FIFO open blocks). */
        PATH,
        /** Read-only and non-blocking, for a regular file's FIEMAP. */
        READ,
        /** Read-only as a directory, for getdents and FIEMAP. */
        DIRECTORY
    }

    /**
     * Opens the file {@code handle} names, on the filesystem this descriptor (its mount point, say) is on:
     * {@code open_by_handle_at(2)}, which needs CAP_DAC_READ_SEARCH. A symlink opens only with {@link HandleAccess#PATH}.
     *
     * @throws NativeCallException ESTALE when the file is gone ({@link NativeCallException#isStale})
     */
    public NativeFile openHandle(FileHandle handle, HandleAccess access) throws NativeCallException {
        int flags = LibC.O_CLOEXEC | switch (access) {
            case PATH -> LibC.O_PATH;
            case READ -> LibC.O_RDONLY | LibC.O_NONBLOCK;
            case DIRECTORY -> LibC.O_RDONLY | arch().oDirectory();
        };
        try (Memory encoded = new Memory(FileHandle.HEADER_SIZE + handle.length())) {
            encoded.setInt(FileHandle.OFFSET_BYTES, handle.length());
            encoded.setInt(FileHandle.OFFSET_TYPE, handle.type());
            encoded.write(FileHandle.HEADER_SIZE, handle.bytes(), 0, handle.length());
            return new NativeFile(LibC.open_by_handle_at(fd(), encoded, flags), handle + " on " + name);
        } catch (LastErrorException e) {
            throw NativeCallException.from("open_by_handle_at", handle + " on " + name, e);
        }
    }

    /** How {@link #openChildNoFollow(LinuxPath, Access)} opens a regular file. */
    public enum Access {
        /** {@code O_RDONLY}. */
        READ,
        /** {@code O_RDONLY | O_DIRECT}: reads reach the device; buffers, offsets and lengths must be aligned. */
        READ_DIRECT,
        /** {@code O_WRONLY}: never creates, never truncates. */
        WRITE,
        /**
         * {@code O_PATH}: only a place in the tree, to look at ({@link NativeFile#status()}) without opening the
         * file itself (a device node is not opened, a FIFO not waited on); no read, write or ioctl.
         */
        PATH_ONLY;

        /** Looked up at each open, not when the enum loads, so an unknown architecture gets its own error. */
        int flags() {
            return switch (this) {
                case READ -> LibC.O_RDONLY;
                case READ_DIRECT -> LibC.O_RDONLY | arch().oDirect();
                case WRITE -> LibC.O_WRONLY;
                case PATH_ONLY -> LibC.O_PATH;
            };
        }
    }

    /**
     * Opens the regular file {@code name} inside this directory with {@code O_NOFOLLOW}: a symlink in its place
     * fails with ELOOP instead of being followed. Never creates or truncates.
     */
    public NativeFile openChildNoFollow(LinuxPath name, Access access) throws NativeCallException {
        int flags = access.flags() | arch().oNofollow() | LibC.O_CLOEXEC | LibC.O_NONBLOCK;
        try {
            return new NativeFile(LibC.openat(fd(), name.nulTerminated(), flags, 0), childName(name));
        } catch (LastErrorException e) {
            throw NativeCallException.from("openat(" + access + ")", childName(name), e);
        }
    }

    /**
     * Makes the directory {@code name} inside this directory ({@code mkdirat}) with {@code mode} (before the
     * umask).
     *
     * @throws NativeCallException with errno EEXIST when something has that name already
     */
    public void makeDirectory(LinuxPath name, int mode) throws NativeCallException {
        try {
            LibC.mkdirat(fd(), name.nulTerminated(), mode);
        } catch (LastErrorException e) {
            throw NativeCallException.from("mkdirat", childName(name), e);
        }
    }

    /**
     * Renames {@code from} in this directory to {@code to} in {@code toDirectory} ({@code renameat2} with
     * {@code RENAME_NOREPLACE}: never over an existing name, so a rename cannot destroy another file). The entry
     * itself moves; a symlink named {@code from} is moved, not followed.
     *
     * @throws NativeCallException with errno EEXIST when {@code to} exists, EXDEV across filesystems
     */
    public void rename(LinuxPath from, NativeFile toDirectory, LinuxPath to) throws NativeCallException {
        try {
            LibC.renameat2(fd(), from.nulTerminated(), toDirectory.fd(), to.nulTerminated(), LibC.RENAME_NOREPLACE);
        } catch (LastErrorException e) {
            throw NativeCallException.from("renameat2(" + toDirectory.childName(to) + ")", childName(from), e);
        }
    }

    /**
     * Opens the regular file (or anything but a directory) at {@code relative} beneath this directory: no symbolic
     * link followed anywhere on the way, no {@code ..}, and no other mount entered ({@code openat2} with
     * {@code RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV}, or a component-by-component
     * {@code openat(O_NOFOLLOW)} walk where the kernel has no openat2). Never creates or truncates.
     *
     * @param crossMounts whether mounts below this directory may be entered (a replica tree may hold several)
     * @throws NativeCallException ELOOP for a symlink on the way, EXDEV for a path that leaves this directory or
     *                             enters another mount, ENOENT when something on the way is missing
     */
    public NativeFile openBeneath(LinuxPath relative, Access access, boolean crossMounts) throws NativeCallException {
        // openat2 refuses O_PATH with any flag but O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW (EINVAL)
        int nonBlocking = access == Access.PATH_ONLY ? 0 : LibC.O_NONBLOCK;
        return Beneath.open(this, relative, access.flags() | nonBlocking, crossMounts);
    }

    /** {@link #openBeneath(LinuxPath, Access, boolean)} of a directory, read-only. */
    public NativeFile openDirectoryBeneath(LinuxPath relative, boolean crossMounts) throws NativeCallException {
        return Beneath.open(this, relative, LibC.O_RDONLY | arch().oDirectory(), crossMounts);
    }

    /** What a child of this directory is called in messages: the display form of its path. */
    String childName(LinuxPath child) {
        return (name.endsWith("/") ? name : name + "/") + child.display();
    }

    /** Writes {@code count} bytes of {@code buffer} at {@code offset}; returns the count written. */
    public long pwrite(Pointer buffer, long count, long offset) throws NativeCallException {
        try {
            return LibC.pwrite(fd(), buffer, count, offset);
        } catch (LastErrorException e) {
            throw NativeCallException.from("pwrite(offset " + offset + ", " + count + " bytes)", name, e);
        }
    }

    /** {@code fsync(2)}: data and metadata of this file are on the device when it returns. */
    public void fsync() throws NativeCallException {
        try {
            LibC.fsync(fd());
        } catch (LastErrorException e) {
            throw NativeCallException.from("fsync", name, e);
        }
    }

    /**
     * {@code syncfs(2)}: writes back the dirty data of the whole filesystem this descriptor is on, so every delayed
     * allocation made before the call has its blocks when it returns.
     */
    public void syncFilesystem() throws NativeCallException {
        try {
            LibC.syncfs(fd());
        } catch (LastErrorException e) {
            throw NativeCallException.from("syncfs", name, e);
        }
    }

    /**
     * The open flags that differ between architectures, for the running one.
     *
     * @throws UnsupportedOperationException on an architecture daxguard has no table for
     */
    private static LinuxConstants arch() {
        return LinuxConstants.running();
    }

    /** The raw descriptor, for wrappers in this package. */
    int fd() {
        checkOpen();
        return fd;
    }

    /** What was opened, for messages: the display form of its path. */
    public String name() {
        return name;
    }

    /**
     * Calls {@code ioctl(fd, request, argument)}; the one place every ioctl in daxguard goes through.
     *
     * @param requestName the ioctl's name for messages, for example {@code "FS_IOC_GETFSMAP"}
     */
    public int ioctl(String requestName, long request, Pointer argument) throws NativeCallException {
        try {
            return LibC.ioctl(fd(), new NativeLong(request), argument);
        } catch (LastErrorException e) {
            throw NativeCallException.from("ioctl(" + requestName + ")", name, e);
        }
    }

    /** {@code fstatx} of this descriptor. */
    public FileStatus status() throws NativeCallException {
        return FileStatus.ofDescriptor(this);
    }

    /** Reads up to {@code count} bytes at {@code offset} into {@code buffer}; returns the count read. */
    public long pread(Memory buffer, long count, long offset) throws NativeCallException {
        if (count < 0 || count > buffer.size()) {
            throw new IllegalArgumentException("count must be in 0.." + buffer.size() + " (the buffer), was " + count);
        }
        try {
            return LibC.pread(fd(), buffer, count, offset);
        } catch (LastErrorException e) {
            throw NativeCallException.from("pread(offset " + offset + ", " + count + " bytes)", name, e);
        }
    }

    /**
     * Reads up to {@code count} bytes at the file position (for character devices such as {@code /dev/kmsg},
     * where one read returns one record); returns the count read, 0 at end of file.
     *
     * @throws NativeCallException with errno EAGAIN when opened non-blocking and nothing is ready, EPIPE from
     *                             {@code /dev/kmsg} when records were overwritten before they were read
     */
    public long read(Memory buffer, long count) throws NativeCallException {
        if (count > buffer.size()) {
            throw new IllegalArgumentException("count " + count + " exceeds the buffer's " + buffer.size() + " bytes");
        }
        try {
            return LibC.read(fd(), buffer, count);
        } catch (LastErrorException e) {
            throw NativeCallException.from("read", name, e);
        }
    }

    /** Moves the file position to the start ({@code lseek SEEK_SET 0}). */
    public void seekToStart() throws NativeCallException {
        seek(0, LibC.SEEK_SET, "lseek(SEEK_SET)");
    }

    /** Moves the file position to the end; on {@code /dev/kmsg}, after the last record now in the log. */
    public void seekToEnd() throws NativeCallException {
        seek(0, LibC.SEEK_END, "lseek(SEEK_END)");
    }

    private void seek(long offset, int whence, String call) throws NativeCallException {
        try {
            LibC.lseek(fd(), offset, whence);
        } catch (LastErrorException e) {
            throw NativeCallException.from(call, name, e);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /**
     * {@link #close()}, a failure ignored: for a descriptor that was only read (a walk, a directory, a replica), or one
     * closed on a path that already reports a failure of its own. close(2) releases the descriptor even when it fails,
     * and such a descriptor has nothing unwritten to lose.
     */
    public void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // See above: nothing is lost.
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            throw NativeCallException.from("close", name, e);
        }
    }
}
