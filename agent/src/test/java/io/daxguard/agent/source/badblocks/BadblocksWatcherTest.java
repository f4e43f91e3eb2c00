package io.daxguard.agent.source.badblocks;

import io.daxguard.agent.ranges.ByteRange;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The badblocks watcher against a fake sysfs tree in the kernel's "<sector> <count>" format. */
class BadblocksWatcherTest {
    @TempDir
    Path sysfs;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private final BadblocksWatcher.Listener recorder = new BadblocksWatcher.Listener() {
        @Override
        public void added(String device, List<ByteRange> ranges) {
            ranges.forEach(range -> events.add("added " + device + " " + range));
        }

        @Override
        public void cleared(String device, List<ByteRange> ranges) {
            ranges.forEach(range -> events.add("cleared " + device + " " + range));
        }

        @Override
        public void malformed(String device, String line, String reason) {
            events.add("malformed " + device + " \"" + line + "\"");
        }
    };

    private void badblocks(String device, String text) throws IOException {
        Path directory = Files.createDirectories(sysfs.resolve("block").resolve(device));
        // Replaced, never written through: it may be a link to an unreadable file (below).
        Files.deleteIfExists(directory.resolve("badblocks"));
        Files.writeString(directory.resolve("badblocks"), text);
    }

    private BadblocksWatcher watcher() {
        return new BadblocksWatcher(sysfs, Duration.ofHours(1), recorder);
    }

    @Test
    void theFirstScanReportsEveryListedRangeInBytes() throws Exception {
        badblocks("pmem0", "8 1\n100 16\n");

        watcher().scanNow();

        assertThat(events).containsExactly("added pmem0 4096+512", "added pmem0 51200+8192");
    }

    @Test
    void onlyNewRangesAreReportedAgain() throws Exception {
        BadblocksWatcher watcher = watcher();
        badblocks("pmem0", "8 1\n");
        watcher.scanNow();
        events.clear();
        badblocks("pmem0", "8 1\n64 8\n");

        watcher.scanNow();

        assertThat(events).containsExactly("added pmem0 32768+4096");
    }

    @Test
    void aRangeThatDisappearedIsReportedCleared() throws Exception {
        BadblocksWatcher watcher = watcher();
        badblocks("pmem0", "8 1\n64 8\n");
        watcher.scanNow();
        events.clear();
        badblocks("pmem0", "64 8\n");

        watcher.scanNow();

        assertThat(events).containsExactly("cleared pmem0 4096+512");
    }

    @Test
    void aMalformedLineIsReportedAndTheOtherLinesStillCount() throws Exception {
        badblocks("pmem0", "8 1\nsector eight\n-5 2\n64 0\n72 8\n");

        watcher().scanNow();

        assertThat(events).containsExactly("malformed pmem0 \"sector eight\"", "malformed pmem0 \"-5 2\"",
                "malformed pmem0 \"64 0\"", "added pmem0 4096+512", "added pmem0 36864+4096");
    }

    @Test
    void aMalformedLineIsNotMistakenForAClearedRange() throws Exception {
        BadblocksWatcher watcher = watcher();
        badblocks("pmem0", "8 1\n");
        watcher.scanNow();
        events.clear();
        badblocks("pmem0", "8 1\n9 x\n");

        watcher.scanNow();

        assertThat(events).containsExactly("malformed pmem0 \"9 x\"");
    }

    @Test
    void devicesWithoutBadblocksAreIgnored() throws Exception {
        Files.createDirectories(sysfs.resolve("block/loop0"));
        badblocks("pmem1", "0 8\n");

        watcher().scanNow();

        assertThat(events).containsExactly("added pmem1 0+4096");
    }

    @Test
    void theWatcherThreadFindsANewRangeAfterAMalformedFileByItsPeriodicRescan() throws Exception {
        badblocks("pmem0", "garbage\n");
        CountDownLatch found = new CountDownLatch(1);
        BadblocksWatcher watcher = new BadblocksWatcher(sysfs, Duration.ofMillis(20), new BadblocksWatcher.Listener() {
            @Override
            public void added(String device, List<ByteRange> ranges) {
                found.countDown();
            }

            @Override
            public void cleared(String device, List<ByteRange> ranges) {
            }
        });
        try {
            watcher.start();
            badblocks("pmem0", "garbage\n16 1\n");

            assertThat(found.await(60, TimeUnit.SECONDS)).as("new range found by the running watcher").isTrue();
        } finally {
            watcher.close();
        }
    }

    /**
     * A badblocks attribute whose read fails, as one whose driver returns an error: {@code /proc/self/mem} is a
     * regular file that every reader, root too, gets EIO from at offset 0 (nothing is mapped there).
     */
    private void unreadableBadblocks(String device) throws IOException {
        Path directory = Files.createDirectories(sysfs.resolve("block").resolve(device));
        Files.deleteIfExists(directory.resolve("badblocks"));
        Files.createSymbolicLink(directory.resolve("badblocks"), Path.of("/proc/self/mem"));
    }

    @Test
    void anUnreadableFileIsCountedAndTheOtherDevicesAreStillScanned() throws Exception {
        unreadableBadblocks("pmem0");
        badblocks("pmem1", "16 1\n");
        BadblocksWatcher watcher = watcher();

        watcher.scanNow();

        assertThat(events).containsExactly("added pmem1 8192+512");
        assertThat(watcher.unreadableFiles()).isEqualTo(1);
    }

    @Test
    void aFileThatCannotBeReadKeepsItsRangesAndTheyAreReportedOnceItReadsAgain() throws Exception {
        BadblocksWatcher watcher = watcher();
        badblocks("pmem0", "8 1\n");
        watcher.scanNow();
        unreadableBadblocks("pmem0");
        watcher.scanNow();
        badblocks("pmem0", "8 1\n64 8\n");

        watcher.scanNow();

        assertThat(events).as("no range is taken for cleared while its list cannot be read")
                .containsExactly("added pmem0 4096+512", "added pmem0 32768+4096");
    }

    @Test
    void aWatcherThreadThatDiesSaysWhy() throws Exception {
        badblocks("pmem0", "8 1\n");
        BlockingQueue<Throwable> ended = new LinkedBlockingQueue<>();
        BadblocksWatcher watcher = new BadblocksWatcher(sysfs, Duration.ofMillis(20), new BadblocksWatcher.Listener() {
            @Override
            public void added(String device, List<ByteRange> ranges) {
                if (Thread.currentThread().getName().equals("daxguard-badblocks")) {
                    throw new OutOfMemoryError("no room to report " + ranges); // an Error no scan survives
                }
            }

            @Override
            public void cleared(String device, List<ByteRange> ranges) {
            }
        });
        try {
            watcher.start(ended::add);
            badblocks("pmem0", "8 1\n16 1\n");

            Throwable cause = ended.poll(60, TimeUnit.SECONDS);

            assertThat(cause).as("the end was told").isInstanceOf(OutOfMemoryError.class);
        } finally {
            watcher.close();
        }
    }
}
