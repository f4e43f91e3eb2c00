package io.daxguard.btrfs;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.RepairOutcome;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;

/** {@code BTRFS_IOC_SCRUB} of one device's range. */
final class Scrub {
    private Scrub() {
    }

    static RepairOutcome repair(NativeFile filesystem, Member member, FailureRange range) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }
}
