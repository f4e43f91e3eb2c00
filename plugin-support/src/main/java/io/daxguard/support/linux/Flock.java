package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;

/**
 * {@code flock(2)}: a lock held by one open file description, kept until that description is closed. Not
 * {@code fcntl} locks (what {@link java.nio.channels.FileChannel#tryLock} takes): a process loses every fcntl lock on
 * a file as soon as it closes any descriptor of that file, and the agent opens every file of a filesystem it indexes,
 * its own state directory's included when that lies on one. The two kinds do not see each other on Linux.
 * Constants: {@code <sys/file.h>}, the same on x86-64 and arm64.
 */
public final class Flock {
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;

    private Flock() {
    }

    /**
     * Takes an exclusive lock on {@code file} without waiting; false when another open file description holds one
     * (another process, or another descriptor opened separately in this one).
     *
     * @throws NativeCallException for anything but the lock being held (EBADF, ENOLCK, ...)
     */
    public static boolean tryExclusive(NativeFile file) throws NativeCallException {
        try {
            LibC.flock(file.fd(), LOCK_EX | LOCK_NB);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == NativeCallException.EAGAIN) {
                return false; // EWOULDBLOCK, the same number as EAGAIN on Linux
            }
            throw NativeCallException.from("flock(LOCK_EX | LOCK_NB)", file.name(), e);
        }
    }
}
