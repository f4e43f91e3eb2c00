package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The C library functions daxguard calls, direct-mapped (about four times cheaper per call than interface
 * mapping, which matters for one FIEMAP per file). Callers outside this package go through the typed
 * wrappers beside it ({@link Getfsmap}, {@link Fiemap}, {@link NativeFile}, ...), which turn errno into
 * {@link NativeCallException}.
 */
final class LibC {
    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    // O_DIRECT, O_DIRECTORY and O_NOFOLLOW differ between architectures: LinuxConstants.running() has them.
    /** {@code asm-generic/fcntl.h} 02000000, on x86-64 and arm64. */
    static final int O_CLOEXEC = 0x80000;
    /** {@code asm-generic/fcntl.h} 00004000, on x86-64 and arm64. */
    static final int O_NONBLOCK = 0x800;
    /** {@code asm-generic/fcntl.h} 010000000, on x86-64 and arm64. */
    static final int O_PATH = 0x200000;
    static final int SEEK_SET = 0;
    static final int SEEK_END = 2;
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_NO_AUTOMOUNT = 0x800;
    static final int RENAME_NOREPLACE = 1;
    /**
     * System call numbers without a glibc wrapper in every supported glibc ({@code openat2}; the pidfd calls came in
     * glibc 2.36): since Linux 5.1 new calls have one number on every architecture but alpha
     * ({@code asm-generic/unistd.h} and x86-64's {@code unistd_64.h} agree).
     */
    static final long SYS_PIDFD_SEND_SIGNAL = 424;
    static final long SYS_PIDFD_OPEN = 434;
    static final long SYS_OPENAT2 = 437;

    private LibC() {
    }

    // Paths and names are NUL-terminated byte arrays, never Strings: JNA would encode a String with the JVM's
    // default charset (ASCII under LANG=C), and a name that is not valid UTF-8 would not reach the kernel intact.

    static native int open(byte[] path, int flags, int mode) throws LastErrorException;

    static native int openat(int dirFd, byte[] name, int flags, int mode) throws LastErrorException;

    static native int mkdirat(int dirFd, byte[] name, int mode) throws LastErrorException;

    static native int renameat2(int fromDirFd, byte[] from, int toDirFd, byte[] to, int flags)
            throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int mlockall(int flags) throws LastErrorException;

    static native int flock(int fd, int operation) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, Pointer argument) throws LastErrorException;

    static native int fstatfs(int fd, Pointer buffer) throws LastErrorException;

    static native int statx(int dirFd, byte[] path, int flags, int mask, Pointer buffer) throws LastErrorException;

    static native long getdents64(int fd, Pointer buffer, long size) throws LastErrorException;

    static native long pread(int fd, Pointer buffer, long count, long offset) throws LastErrorException;

    static native long pwrite(int fd, Pointer buffer, long count, long offset) throws LastErrorException;

    static native int fsync(int fd) throws LastErrorException;

    static native int syncfs(int fd) throws LastErrorException;

    static native int geteuid();

    /** {@code name_to_handle_at(dirfd, path, handle, mount_id, flags)} (glibc 2.14). */
    static native int name_to_handle_at(int dirFd, byte[] path, Pointer handle, Pointer mountId, int flags)
            throws LastErrorException;

    // syscall(2) is variadic; every argument is passed as a register-wide value (long or pointer), which is what
    // glibc's syscall reads on x86-64 and arm64.

    /** {@code openat2(dirfd, path, how, size)}. */
    static native long syscall(long number, long dirFd, byte[] path, Pointer how, long size) throws LastErrorException;

    /** {@code pidfd_open(pid, flags)}. */
    static native long syscall(long number, long pid, long flags) throws LastErrorException;

    /** {@code pidfd_send_signal(pidfd, sig, info, flags)}. */
    static native long syscall(long number, long pidFd, long signal, Pointer info, long flags)
            throws LastErrorException;

    static native long read(int fd, Pointer buffer, long count) throws LastErrorException;

    static native long write(int fd, Pointer buffer, long count) throws LastErrorException;

    /** eventfd(2): a counter a thread can poll (POLLIN while non-zero) and another can add to. */
    static native int eventfd(int initialValue, int flags) throws LastErrorException;

    static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    static native int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

    /** open_by_handle_at(2): {@code handle} is a {@code struct file_handle} ({@link FileHandle}). */
    static native int open_by_handle_at(int mountFd, Pointer handle, int flags) throws LastErrorException;

    static native int fanotify_init(int flags, int eventFileFlags) throws LastErrorException;

    static native int fanotify_mark(int fanotifyFd, int flags, long mask, int dirFd, byte[] path)
            throws LastErrorException;

    static native String strerror(int errno);

    /** mount(2); {@code data} may be null. */
    static native int mount(String source, String target, String filesystemType, NativeLong flags, Pointer data)
            throws LastErrorException;
}
