package io.daxguard.agent.cli;

import java.io.Writer;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Output a command writes from its own thread, which a test waits on: {@link #await} returns once the text written
 * so far satisfies a condition (woken by every write, bounded against hanging).
 */
final class WatchedOutput extends Writer {
    private final StringBuilder text = new StringBuilder();

    @Override
    public synchronized void write(char[] buffer, int offset, int length) {
        text.append(buffer, offset, length);
        notifyAll();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    synchronized String text() {
        return text.toString();
    }

    /** Waits until the text satisfies {@code condition}; the bound only keeps a broken command from hanging. */
    synchronized String await(Predicate<String> condition, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.test(text.toString())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the output never satisfied the condition; it was:\n" + text);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return text.toString();
    }
}
