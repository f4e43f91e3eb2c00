package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import java.io.IOException;

/** A native call failed; names the call, what it was called on, and the errno with its text. */
public class NativeCallException extends IOException {
    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int ENOSYS = 38;
    public static final int ENOTDIR = 20;
    public static final int E2BIG = 7;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EINTR = 4;
    public static final int EPIPE = 32;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ENOTTY = 25;
    public static final int ELOOP = 40;
    public static final int EOPNOTSUPP = 95;
    /** What some drivers return for an unreadable sector instead of EIO. */
    public static final int ENODATA = 61;
    public static final int EBADMSG = 74;
    /** A file handle whose file is gone (open_by_handle_at). */
    public static final int ESTALE = 116;

    private final String call;
    private final String target;
    private final int errno;

    public NativeCallException(String call, String target, int errno) {
        super(call + " on " + target + " failed: " + errnoName(errno) + " (" + LibC.strerror(errno) + ")");
        this.call = call;
        this.target = target;
        this.errno = errno;
    }

    static NativeCallException from(String call, Object target, LastErrorException cause) {
        NativeCallException exception = new NativeCallException(call, String.valueOf(target), cause.getErrorCode());
        exception.initCause(cause);
        return exception;
    }

    /** The call that failed, for example {@code "ioctl(FS_IOC_GETFSMAP)"}. */
    public String call() {
        return call;
    }

    /** The file or device the call was made on. */
    public String target() {
        return target;
    }

    public int errno() {
        return errno;
    }

    /** Whether the file the call named is gone: a file handle of a deleted inode (ESTALE), or no such name. */
    public boolean isStale() {
        return errno == ESTALE || errno == ENOENT;
    }

    /** Whether the call was refused for lack of privilege. */
    public boolean isPermissionDenied() {
        return errno == EPERM || errno == EACCES;
    }

    /** Whether the filesystem or driver does not implement the call. */
    public boolean isUnsupported() {
        return errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL;
    }

    /** The symbolic name of an errno daxguard meets, or {@code "errno N"}. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case ENOSYS -> "ENOSYS";
            case ENOTDIR -> "ENOTDIR";
            case E2BIG -> "E2BIG";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EINTR -> "EINTR";
            case EPIPE -> "EPIPE";
            case EACCES -> "EACCES";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EXDEV -> "EXDEV";
            case EINVAL -> "EINVAL";
            case ENOTTY -> "ENOTTY";
            case ENOSPC -> "ENOSPC";
            case EROFS -> "EROFS";
            case ELOOP -> "ELOOP";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ENODATA -> "ENODATA";
            case EBADMSG -> "EBADMSG";
            case ESTALE -> "ESTALE";
            default -> "errno " + errno;
        };
    }
}
