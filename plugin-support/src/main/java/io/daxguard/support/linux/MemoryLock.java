package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;

/**
 * Keeps a process's pages in memory once it has used them: {@code mlockall(MCL_CURRENT | MCL_ONFAULT)}. Pages
 * already resident are locked, and a page of a present mapping is locked when it is first touched; nothing is read
 * in ahead, so the resident size is what the process uses, as before. The code of a JVM (libjvm, the class data
 * archive, the JDK's modules image) is file-backed: without the lock, memory pressure or a cache drop evicts it, and
 * the next call pays page faults, read from a disk that may be the failing one.
 *
 * <p>Needs {@code CAP_IPC_LOCK} or a {@code RLIMIT_MEMLOCK} above the size of every mapping of the process (the
 * kernel counts whole mappings, touched or not): otherwise ENOMEM (over the limit) or EPERM (a limit of 0).
 * Constants: {@code asm-generic/mman-common.h} and {@code mman.h}, the same on x86-64 and arm64.
 */
public final class MemoryLock {
    static final int MCL_CURRENT = 1;
    static final int MCL_ONFAULT = 4;

    private MemoryLock() {
    }

    /**
     * Locks the pages this process uses now and those it touches later in its present mappings.
     *
     * @throws NativeCallException when the kernel refuses (errno ENOMEM or EPERM: see the class comment)
     */
    public static void lockPagesInUse() throws NativeCallException {
        try {
            LibC.mlockall(MCL_CURRENT | MCL_ONFAULT);
        } catch (LastErrorException e) {
            throw NativeCallException.from("mlockall(MCL_CURRENT | MCL_ONFAULT)", "this process", e);
        }
    }
}
