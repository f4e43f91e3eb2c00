package io.daxguard.btrfs;

import io.daxguard.spi.ExtentConsumer;
import java.io.IOException;

/** Merges extents given in order of their start into disjoint runs, handing each run on once. */
final class ExtentMerger {
    private final ExtentConsumer consumer;
    private long start = -1;
    private long end = -1;
    private long handedOn;

    ExtentMerger(ExtentConsumer consumer) {
        this.consumer = consumer;
    }

    void add(long extentStart, long extentEnd) throws IOException {
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

    void flush() throws IOException {
        if (start >= 0) {
            consumer.accept(start, end - start);
            handedOn = end;
            start = -1;
        }
    }
}
