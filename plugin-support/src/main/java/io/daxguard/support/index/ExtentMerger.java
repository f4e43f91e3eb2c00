package io.daxguard.support.index;

import io.daxguard.spi.ExtentConsumer;
import java.io.IOException;

/**
 * Merges extents given in order of their start into disjoint runs, handing each run on once: how a holder turns a
 * stream of owners' extents (sharers overlap, neighbours touch) into {@code forEachWrittenExtent}'s visits. A byte
 * is never handed on twice, even if the order were not by start. Not thread safe: one per call.
 */
public final class ExtentMerger {
    private final ExtentConsumer consumer;
    private long start = -1;
    private long end = -1;
    private long handedOn;

    public ExtentMerger(ExtentConsumer consumer) {
        this.consumer = consumer;
    }

    /** The extent {@code [extentStart, extentEnd)}. */
    public void add(long extentStart, long extentEnd) throws IOException {
        extentStart = Math.max(extentStart, handedOn);
        if (extentStart >= extentEnd) {
            return;
        }
        if (start >= 0 && extentStart <= end) {
            end = Math.max(end, extentEnd);
            return;
        }
        flush();
        start = extentStart;
        end = extentEnd;
    }

    /** Hands on the run in progress; call once after the last {@link #add}. */
    public void flush() throws IOException {
        if (start >= 0) {
            consumer.accept(start, end - start);
            handedOn = end;
            start = -1;
        }
    }
}
