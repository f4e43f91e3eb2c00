package io.daxguard.btrfs;

import io.daxguard.spi.MemberFailure;
import java.io.IOException;
import java.util.List;

/** btrfs's own kernel log lines that place damaged bytes on a member device. */
final class KernelMessages {
    private final BtrfsHolder holder;

    KernelMessages(BtrfsHolder holder) {
        this.holder = holder;
    }

    List<MemberFailure> failuresIn(String message) throws IOException {
        return List.of();
    }
}
