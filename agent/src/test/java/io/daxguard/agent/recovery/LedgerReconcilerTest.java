package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sysfs badblocks format: "first-sector count" per line. */
class LedgerReconcilerTest {
    @TempDir
    Path sysfs;

    @Test
    void badblocksLinesBecomeSectorRanges() throws IOException {
        Path list = Files.writeString(sysfs.resolve("badblocks"), "8 8\n4096 1\n");

        assertThat(LedgerReconciler.badblocks(list)).containsExactly(new long[] {8, 8}, new long[] {4096, 1});
    }

    @Test
    void aDeviceWithoutABadblocksListHasNone() {
        assertThat(LedgerReconciler.badblocks(sysfs.resolve("missing"))).isEmpty();
    }
}
