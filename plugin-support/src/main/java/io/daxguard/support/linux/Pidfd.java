package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;

/**
 * A process held by a descriptor ({@code pidfd_open}, Linux 5.3) and signalled through it
 * ({@code pidfd_send_signal}, Linux 5.1): once the descriptor is open, a signal reaches that process or fails with
 * ESRCH, never another process that was given the same number after it exited. Whatever is learned of the process
 * through {@code /proc/<pid>} after the descriptor was opened is of that process while it still runs.
 */
public final class Pidfd {
    private Pidfd() {
    }

    /**
     * Opens a descriptor of process {@code pid}.
     *
     * @throws NativeCallException ESRCH when no such process runs
     */
    public static NativeFile open(long pid) throws NativeCallException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid must be a single positive process id, was " + pid);
        }
        try {
            return NativeFile.adopt((int) LibC.syscall(LibC.SYS_PIDFD_OPEN, pid, 0L), "pid " + pid);
        } catch (LastErrorException e) {
            throw NativeCallException.from("pidfd_open", "pid " + pid, e);
        }
    }

    /**
     * Sends {@code signal} to the process of {@code process} (0: only checks that it still runs).
     *
     * @throws NativeCallException ESRCH when it has exited
     */
    public static void signal(NativeFile process, int signal) throws NativeCallException {
        try {
            LibC.syscall(LibC.SYS_PIDFD_SEND_SIGNAL, process.fd(), signal, null, 0L);
        } catch (LastErrorException e) {
            throw NativeCallException.from("pidfd_send_signal(signal " + signal + ")", process.name(), e);
        }
    }
}
