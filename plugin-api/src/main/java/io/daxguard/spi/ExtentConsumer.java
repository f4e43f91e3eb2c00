package io.daxguard.spi;

import java.io.IOException;

/** Receives physical extents in filesystem-relative bytes. */
@FunctionalInterface
public interface ExtentConsumer {
    void accept(long physicalOffset, long length) throws IOException;
}
