package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;

/**
 * An {@code eventfd(2)} a thread waiting in {@link Poll#await} includes (for {@link Poll#POLLIN}) so that another
 * thread can end the wait at once: closing a descriptor does not wake a {@code poll} on it, and an interrupt does
 * not reach native code.
 */
public final class Wakeup implements AutoCloseable {
    private static final long COUNTER_SIZE = 8;
    private final NativeFile counter;

    private Wakeup(NativeFile counter) {
        this.counter = counter;
    }

    /** A new, unsignalled wakeup (non-blocking, close-on-exec; both flags equal O_NONBLOCK and O_CLOEXEC). */
    public static Wakeup open() throws NativeCallException {
        try {
            return new Wakeup(NativeFile.adopt(LibC.eventfd(0, LibC.O_CLOEXEC | LibC.O_NONBLOCK), "eventfd"));
        } catch (LastErrorException e) {
            throw NativeCallException.from("eventfd", "wakeup", e);
        }
    }

    /** The descriptor to poll for {@link Poll#POLLIN}: readable once {@link #wake} was called. */
    public NativeFile file() {
        return counter;
    }

    /** Ends every poll that includes {@link #file()}, now and later: the counter stays non-zero. */
    public void wake() throws NativeCallException {
        try (Memory one = new Memory(COUNTER_SIZE)) {
            one.setLong(0, 1);
            LibC.write(counter.fd(), one, COUNTER_SIZE);
        } catch (LastErrorException e) {
            throw NativeCallException.from("write", "eventfd", e);
        }
    }

    @Override
    public void close() throws IOException {
        counter.close();
    }
}
