package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.jmx.JmxSurface;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.SectorRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scrub of an XFS on a disk with bad sectors under two files, under a reflinked pair, under one metadata
 * block (a secondary superblock, which the kernel never reads while mounted) and in free space: the scrub
 * must find exactly the ones under written data. One more bad sector lies in a small free gap between two extents
 * of one file (a hole punched into it), which the scrub reads through in one read with both extents: the
 * failing read is read again over the written bytes only, and the gap's sector is never reported. A 24 MiB
 * filler file gives the rate-limited scrubs time to be paused and cancelled. On every logical sector size, XFS and ext4 (a disk of its own per test): the scrub
 * finds the exact bad logical sector.
 */
@Tag("mount")
class ScrubOnFaultyDiskTest {
    @RegisterExtension
    static final FaultyDisk DISK = FaultyDisk.xfs().build();

    private static final long SLOW = 16L << 20;
    private static final List<String> UNDER_WRITTEN_DATA = new ArrayList<>();
    private static String freeSpaceBad;
    /** The widest free gap the scrub reads through ({@code ScrubJob.MAX_GAP}). */
    private static final long READ_THROUGH_GAP = 256 << 10;
    private static long gapSector;

    private SourcesFixture fixture;

    @BeforeAll
    static void poisonTheDisk() throws Exception {
        AgentFixture.writeFile(DISK.path("a.bin"), 256 * 1024, 1);
        AgentFixture.writeFile(DISK.path("b.bin"), 256 * 1024, 2);
        AgentFixture.writeFile(DISK.path("original.bin"), 128 * 1024, 3);
        Command.run("cp", "--reflink=always", DISK.path("original.bin").toString(), DISK.path("copy.bin").toString());
        AgentFixture.writeFile(DISK.path("filler.bin"), 24 << 20, 4);
        // One file, its middle 64 KiB punched out: a free gap between two written extents, wherever XFS put it.
        AgentFixture.writeFile(DISK.path("gap.bin"), 256 * 1024, 6);
        gapSector = DISK.sectorOf(DISK.path("gap.bin"), 96 * 1024);
        Command.run("fallocate", "--punch-hole", "--offset", "65536", "--length", "65536",
                DISK.path("gap.bin").toString());
        Command.run("sync", "-f", DISK.mountPoint().toString());
        DISK.poison(gapSector, 1);
        poison(DISK.sectorOf(DISK.path("a.bin"), 40_000));
        poison(DISK.sectorOf(DISK.path("b.bin"), 8192));
        poison(DISK.sectorOf(DISK.path("b.bin"), 200_000));
        poison(DISK.sectorOf(DISK.path("original.bin"), 70_000));
        poison(secondarySuperblockSector());
        long lastSector = Long.parseLong(Files.readString(Path.of("/sys/class/block", DISK.deviceName(), "size"))
                .strip()) - 1;
        DISK.poison(lastSector, 1);
        freeSpaceBad = lastSector * 512 + "+512";
    }

    private static void poison(long sector) throws Exception {
        DISK.poison(sector, 1);
        UNDER_WRITTEN_DATA.add(sector * 512 + "+512");
    }

    /** The superblock copy at the start of allocation group 1. */
    private static long secondarySuperblockSector() throws Exception {
        String info = Command.run("xfs_info", DISK.mountPoint().toString());
        Matcher agsize = Pattern.compile("agsize=(\\d+) blks").matcher(info);
        Matcher bsize = Pattern.compile("data\\s+=\\s+bsize=(\\d+)").matcher(info);
        if (!agsize.find() || !bsize.find()) {
            throw new IllegalStateException("unexpected xfs_info output: " + info);
        }
        return Long.parseLong(agsize.group(1)) * Long.parseLong(bsize.group(1)) / 512;
    }

    private SourcesFixture agent(long rateLimit) throws Exception {
        fixture = new SourcesFixture(SourceSettings.defaults().withKmsgEnabled(false).withTraceEnabled(false)
                .withBadblocksEnabled(false).withScrubRateLimit(rateLimit));
        return fixture;
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            ScrubState state = state();
            if (state == ScrubState.RUNNING || state == ScrubState.PAUSED) {
                invoke("cancelScrub");
            }
            fixture.close();
        }
    }

    private enum ScrubState { IDLE, RUNNING, PAUSED, FINISHED, CANCELLED, FAILED }

    private ScrubState state() throws Exception {
        return ScrubState.valueOf((String) fixture.server().getAttribute(filesystem(), "ScrubState"));
    }

    private static ObjectName filesystem() {
        return ObjectNames.filesystem(DISK.mountPoint().toString());
    }

    private CompositeData invoke(String operation) throws Exception {
        return (CompositeData) fixture.server().invoke(filesystem(), operation, new Object[0], new String[0]);
    }

    /** A future for the next scrub.finished notification's user data. */
    private static CompletableFuture<CompositeData> finished(MBeanServer server) throws Exception {
        CompletableFuture<CompositeData> future = new CompletableFuture<>();
        NotificationListener listener = (Notification notification, Object handback) -> {
            if (notification.getType().equals(JmxSurface.SCRUB_FINISHED)) {
                future.complete((CompositeData) notification.getUserData());
            }
        };
        server.addNotificationListener(ObjectNames.agent(), listener, null, null);
        return future;
    }

    private static List<String> badRanges(CompositeData progress) {
        return Arrays.asList((String[]) progress.get("firstBadRanges"));
    }

    @Test
    void theLastSectorOfTheDiskIsFreeSpace() throws Exception {
        SourcesFixture fast = agent(0);
        AttachedFilesystem xfs = fast.agent().filesystems().atMountPoint(DISK.mountPoint().toString())
                .orElseThrow();
        long offset = Long.parseLong(freeSpaceBad.split("\\+")[0]);

        assertThat(fast.agent().owners().resolve(xfs, FailureRange.of(offset, 512)))
                .allMatch(owner -> owner.owner() instanceof FreeSpaceOwner);
    }

    @Test
    void theGapSectorIsFreeSpaceCloseEnoughToBothNeighboursToBeReadThrough() throws Exception {
        SourcesFixture fast = agent(0);
        AttachedFilesystem xfs = fast.agent().filesystems().atMountPoint(DISK.mountPoint().toString())
                .orElseThrow();
        List<SectorRange> extents = DISK.sectorsOf(DISK.path("gap.bin"));
        long leftEnd = extents.get(0).end() * 512;
        long rightStart = extents.get(1).startByte();

        assertThat(fast.agent().owners().resolve(xfs, FailureRange.of(gapSector * 512, 512)))
                .allMatch(owner -> owner.owner() instanceof FreeSpaceOwner);
        assertThat(gapSector * 512).isBetween(leftEnd, rightStart - 512);
        assertThat(rightStart - leftEnd).isLessThanOrEqualTo(READ_THROUGH_GAP);
    }

    @Test
    void aBadSectorInAFreeGapThatWasReadThroughIsNotReported() throws Exception {
        SourcesFixture fast = agent(0);
        CompletableFuture<CompositeData> done = finished(fast.server());

        invoke("startScrub");

        assertThat(badRanges(SourcesFixture.await(done, 300))).doesNotContain(gapSector * 512 + "+512");
    }

    @Test
    void aScrubReadsMoreDeviceBytesThanItVerifiesWhenItReadsThroughGaps() throws Exception {
        SourcesFixture fast = agent(0);
        CompletableFuture<CompositeData> done = finished(fast.server());

        invoke("startScrub");

        CompositeData progress = SourcesFixture.await(done, 300);
        assertThat((Long) progress.get("bytesRead")).isGreaterThan((Long) progress.get("bytesDone"));
    }

    @Test
    void aScrubFindsExactlyTheBadSectorsUnderWrittenData() throws Exception {
        SourcesFixture fast = agent(0);
        CompletableFuture<CompositeData> done = finished(fast.server());

        invoke("startScrub");

        assertThat(badRanges(SourcesFixture.await(done, 300))).containsExactlyInAnyOrderElementsOf(UNDER_WRITTEN_DATA);
    }

    @Test
    void scrubFindingsNameTheDamagedFilesAndBothSharersOfTheReflinkedBlock() throws Exception {
        SourcesFixture fast = agent(0);
        CompletableFuture<CompositeData> done = finished(fast.server());
        invoke("startScrub");
        SourcesFixture.await(done, 300);
        fast.agent().sources().queue().awaitIdle(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(SourcesFixture.fileHits(fast.records(), DISK.mountPoint().toString()))
                .containsExactlyInAnyOrder("/a.bin@" + 39_936 + "+512", "/b.bin@8192+512", "/b.bin@" + 199_680 + "+512",
                        "/original.bin@" + 69_632 + "+512", "/copy.bin@" + 69_632 + "+512");
    }

    @Test
    void aFinishedScrubShowsEveryWrittenByteDoneOnTheFilesystemMBean() throws Exception {
        SourcesFixture fast = agent(0);
        CompletableFuture<CompositeData> done = finished(fast.server());
        invoke("startScrub");
        SourcesFixture.await(done, 300);

        long total = (Long) fast.server().getAttribute(filesystem(), "ScrubBytesTotal");
        assertThat(fast.server().getAttribute(filesystem(), "ScrubBytesDone")).isEqualTo(total);
        assertThat(total).isGreaterThan(24L << 20);
    }

    @Test
    void pauseStopsTheScrubAtASavedPosition() throws Exception {
        agent(SLOW);
        invoke("startScrub");

        invoke("pauseScrub");

        assertThat(Files.readString(fixture.stateDirectory().resolve("scrub").resolve(uuid() + ".position")))
                .contains("state=PAUSED");
    }

    @Test
    void aResumedScrubRunsToTheEndAndFindsEverything() throws Exception {
        SourcesFixture slow = agent(SLOW);
        CompletableFuture<CompositeData> done = finished(slow.server());
        invoke("startScrub");
        invoke("pauseScrub");

        invoke("resumeScrub");

        assertThat(badRanges(SourcesFixture.await(done, 300))).containsExactlyInAnyOrderElementsOf(UNDER_WRITTEN_DATA);
    }

    @Test
    void cancelEndsTheScrubAndForgetsItsPosition() throws Exception {
        agent(SLOW);
        invoke("startScrub");

        CompositeData cancelled = invoke("cancelScrub");

        assertThat(cancelled.get("state")).isEqualTo("CANCELLED");
        assertThat(fixture.stateDirectory().resolve("scrub").resolve(uuid() + ".position")).doesNotExist();
    }

    @Test
    void aScrubPausedByOneAgentIsResumedByTheNextFromItsPosition() throws Exception {
        agent(SLOW);
        CompositeData started = invoke("startScrub");
        invoke("pauseScrub");
        fixture.restart();
        CompletableFuture<CompositeData> done = finished(fixture.server());

        CompositeData resumed = invoke("resumeScrub");

        assertThat(resumed.get("startedAt")).isEqualTo(started.get("startedAt"));
        assertThat(badRanges(SourcesFixture.await(done, 300))).isSubsetOf(UNDER_WRITTEN_DATA);
    }

    @Test
    void aScrubRunningWhenTheAgentStopsContinuesInTheNextAgent() throws Exception {
        agent(SLOW);
        CompositeData started = invoke("startScrub");
        fixture.restart();
        CompletableFuture<CompositeData> done = finished(fixture.server());

        CompositeData finished = SourcesFixture.await(done, 300);

        assertThat(finished.get("startedAt")).isEqualTo(started.get("startedAt"));
        assertThat(finished.get("badRanges")).isEqualTo((long) UNDER_WRITTEN_DATA.size());
    }

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void aScrubFinishesAndFindsExactlyTheBadLogicalSector(String type, int logicalSectorSize) throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).create()) {
            Path file = disk.path("victim.bin");
            // Odd-sized, so the written extents do not end on a power of two and a bisection halves unevenly.
            AgentFixture.writeFile(file, (1 << 20) + 3 * 4096 + 1000, 5);
            long badSector = disk.sectorOf(file, 300_000);
            disk.poison(badSector, 1);
            long badByte = badSector * 512;
            try (SourcesFixture agent = new SourcesFixture(SourceSettings.defaults().withKmsgEnabled(false).withTraceEnabled(false)
                    .withBadblocksEnabled(false).withScrubRateLimit(0))) {
                agent.awaitHolderReady(disk.mountPoint());
                ObjectName filesystem = ObjectNames.filesystem(disk.mountPoint().toString());
                CompletableFuture<CompositeData> done = finished(agent.server());

                agent.server().invoke(filesystem, "startScrub", new Object[0], new String[0]);

                CompositeData progress = SourcesFixture.await(done, 300);
                assertThat(progress.get("state") + " " + badRanges(progress)).isEqualTo("FINISHED ["
                        + LogicalSectorSizes.logicalSectorStart(badByte, logicalSectorSize) + "+" + logicalSectorSize
                        + "]");
            }
        }
    }

    private String uuid() throws Exception {
        return (String) fixture.server().getAttribute(filesystem(), "Uuid");
    }
}
