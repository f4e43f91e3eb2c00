package io.daxguard.agent.source.badblocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureTuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The badblocks source on a fake sysfs tree in the kernel's format: a device whose number cannot be read, and a
 * sink that throws, lose no listed range. Scans are run directly ({@code scanNow}), so no thread is involved.
 */
class BadblocksSourceTest {
    @TempDir
    Path sysfs;
    private final List<String> recorded = Collections.synchronizedList(new ArrayList<>());
    private final FailureSink recording = tuple -> recorded.add(tuple.device().name() + " " + tuple.offset() + "+"
            + tuple.length());

    private void badblocks(String device, String text) throws IOException {
        Path directory = Files.createDirectories(sysfs.resolve("block").resolve(device));
        Files.writeString(directory.resolve("badblocks"), text);
    }

    /** The device's number where the resolver reads it ({@code <sysfs>/class/block/<name>/dev}). */
    private void number(String device, String number) throws IOException {
        Path entry = Files.createDirectories(sysfs.resolve("class/block").resolve(device));
        Files.writeString(entry.resolve("dev"), number + "\n");
    }

    private BadblocksSource source(FailureSink sink) {
        return new BadblocksSource(sysfs, Duration.ofHours(1), sink, (device, ranges) -> { },
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    }

    @Test
    void rangesOfADeviceThatVanishedBeforeItsNumberWasReadAreRecordedWhenItIsBack() throws Exception {
        badblocks("pmem0", "8 1\n");  // listed, but its class/block entry is gone: no number to record it under
        badblocks("pmem1", "16 1\n");
        number("pmem1", "259:1");
        BadblocksSource source = source(recording);
        source.watcher().scanNow();
        number("pmem0", "259:0");

        source.watcher().scanNow();

        assertThat(recorded).containsExactly("pmem1 8192+512", "pmem0 4096+512");
        assertThat(source.counters()).containsEntry("unreported", 1L);
    }

    @Test
    void rangesTheSinkRefusedAreHandedOnAtTheNextScan() throws Exception {
        badblocks("pmem0", "8 1\n");
        number("pmem0", "259:0");
        List<FailureTuple> refused = new ArrayList<>();
        BadblocksSource source = source(tuple -> {
            if (refused.isEmpty()) {
                refused.add(tuple);
                throw new IllegalStateException("the pipeline refused it");
            }
            recording.submit(tuple);
        });
        source.watcher().scanNow();

        source.watcher().scanNow();

        assertThat(recorded).containsExactly("pmem0 4096+512");
    }
}
