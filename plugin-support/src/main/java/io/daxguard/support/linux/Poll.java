package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.util.List;
import java.util.Objects;

/**
 * {@code poll(2)} on several descriptors: how a sysfs attribute ({@code badblocks}), {@code /proc/self/mountinfo}
 * and {@code /dev/kmsg} say that they changed. NIO selectors cannot wait for {@code POLLPRI}, which is what
 * sysfs ({@code sysfs_notify}) and mountinfo raise.
 *
 * <pre>
 * struct pollfd (8 bytes)   offset
 *   int   fd                  0
 *   short events              4
 *   short revents             6
 * </pre>
 *
 * <p>Usage for a sysfs attribute: read it to the end, poll for {@link #POLLPRI}, seek to the start and read it
 * again. A regular file (a fake sysfs tree in a test) never raises {@code POLLPRI}: the poll times out.
 */
public final class Poll {
    static final int POLLFD_SIZE = 8;
    static final int OFFSET_FD = 0;
    static final int OFFSET_EVENTS = 4;
    static final int OFFSET_REVENTS = 6;

    public static final short POLLIN = 0x001;
    public static final short POLLPRI = 0x002;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;

    private Poll() {
    }

    /** A descriptor and the events wanted on it. */
    public record Request(NativeFile file, short events) {
        public Request {
            Objects.requireNonNull(file, "file is null");
        }
    }

    /**
     * Waits until one of the descriptors has an event, or {@code timeoutMillis} pass (-1: forever). Returns the
     * events that happened, one entry per request in the same order (0 where nothing happened); all zero on
     * timeout or when a signal interrupted the wait.
     */
    public static short[] await(List<Request> requests, int timeoutMillis) throws NativeCallException {
        short[] happened = new short[requests.size()];
        if (requests.isEmpty()) {
            return happened;
        }
        try (Memory fds = new Memory((long) POLLFD_SIZE * requests.size())) {
            fds.clear();
            for (int i = 0; i < requests.size(); i++) {
                fds.setInt((long) i * POLLFD_SIZE + OFFSET_FD, requests.get(i).file().fd());
                fds.setShort((long) i * POLLFD_SIZE + OFFSET_EVENTS, requests.get(i).events());
            }
            try {
                LibC.poll(fds, requests.size(), timeoutMillis);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == NativeCallException.EINTR) {
                    return happened;
                }
                throw NativeCallException.from("poll", requests.get(0).file().name()
                        + (requests.size() > 1 ? " and " + (requests.size() - 1) + " more" : ""), e);
            }
            for (int i = 0; i < requests.size(); i++) {
                happened[i] = fds.getShort((long) i * POLLFD_SIZE + OFFSET_REVENTS);
            }
            return happened;
        }
    }
}
