package io.daxguard.agent;

import io.daxguard.testkit.FilePlacement;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.spi.FileOwner;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.SectorRange;
import io.daxguard.testkit.TwoDeviceBtrfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent on a real btrfs raid1 over two loop devices, the first a FUSE faulty disk, with a snapshot of its top
 * subvolume: held once with both members; a scrub reads both and finds the bad sector under a file block the file
 * and its snapshot copy share (same inode number, two subvolumes: two damaged files), recorded REDUNDANT since raid1
 * keeps the other copy; repairFromCopies rewrites it from the good mirror and closes the record once verified.
 */
@Tag("mount")
class BtrfsRaid1AgentTest {
    private static final int BLOCK = 4096;
    private static final long SECOND_BYTES = 320L << 20;
    private static final Pattern MIRROR = Pattern.compile("mirror (\\d+) logical (\\d+) physical (\\d+) device (\\S+)");

    private static FaultyDisk faulty;
    private static TwoDeviceBtrfs raid;
    private static Path second;
    private static SectorRange bad;
    private static long badOffset;
    private static byte[] content;

    @BeforeAll
    static void raid1WithASnapshotAndABadSectorUnderASharedBlock() throws Exception {
        Privileges.requireRootLoopFuseAnd("mkfs.btrfs", "btrfs", "btrfs-map-logical");
        faulty = FaultyDisk.of("btrfs").build();
        faulty.create();
        raid = new TwoDeviceBtrfs(faulty, faulty.mountPoint(), faulty.device()).create("raid1", SECOND_BYTES);
        second = raid.secondDevice();
        String mount = faulty.mountPoint().toString();
        Path file = faulty.path("data.bin");
        content = new byte[16 * BLOCK];
        new java.util.Random(7).nextBytes(content);
        Files.write(file, content);
        Command.run("btrfs", "filesystem", "sync", mount);
        Command.run("btrfs", "subvolume", "snapshot", mount, faulty.path("snap").toString());
        Command.run("btrfs", "filesystem", "sync", mount);
        badOffset = placementOnFaultyMember(logicalOf(file, 5L * BLOCK));
        bad = new SectorRange(badOffset / 512, BLOCK / 512);
        faulty.poison(bad);
    }

    /** Unmounts (closing the faulty disk), then the two-device fixture forgets, detaches and deletes the second. */
    @AfterAll
    static void undo() throws Exception {
        if (raid != null) {
            raid.close();
        } else if (faulty != null) {
            faulty.close();
        }
    }

    @Test
    void theFilesystemIsHeldOnceAndAScrubOfBothMembersRecordsTheSharedBadBlockRedundantThenRepairsIt()
            throws Exception {
        try (SourcesFixture fixture = new SourcesFixture(SourceSettings.defaults().withKmsgEnabled(true)
                .withTraceEnabled(false).withBadblocksEnabled(false).withScrubRateLimit(0))) {
            ObjectName filesystem = ObjectNames.filesystem(faulty.mountPoint().toString());
            String[] members = (String[]) fixture.server().getAttribute(filesystem, "MemberDevices");
            assertThat(members).containsExactlyInAnyOrder(faulty.deviceName() + " (" + faulty.deviceNumber() + ")",
                    second.getFileName() + " (" + FileStatus.ofPath(second).rdev() + ")");
            assertThat(fixture.agent().filesystems().all().stream()
                    .filter(held -> held.mount().mountPoint().toString().equals(faulty.mountPoint().toString())))
                    .hasSize(1);
            CompletableFuture<DamageRecord> redundant = fixture.recordMatching(record ->
                    record.deviceName().equals(faulty.deviceName()) && record.offset() <= badOffset
                            && badOffset < record.offset() + record.length());
            CompletableFuture<CompositeData> scrubbed = scrubFinished(fixture);

            fixture.server().invoke(filesystem, "startScrub", new Object[0], new String[0]);

            CompositeData progress = SourcesFixture.await(scrubbed, 300);
            assertThat(Arrays.asList((String[]) progress.get("firstBadRanges"))).contains(badOffset + "+" + BLOCK);
            DamageRecord record = SourcesFixture.await(redundant, 60);
            assertThat(record.state()).isEqualTo(DamageState.REDUNDANT);
            List<AffectedOwner> files = record.owners().stream().filter(owner -> owner.file().isPresent()).toList();
            assertThat(files).extracting(owner -> owner.paths().get(0))
                    .containsExactlyInAnyOrder("/data.bin", "/snap/data.bin");
            assertThat(files).extracting(owner -> ((FileOwner) owner.owner()).inode()).containsOnly(
                    FileStatus.ofPath(faulty.path("data.bin")).inode());
            assertThat(files).extracting(owner -> owner.fileKey().orElseThrow().subvolume()).doesNotHaveDuplicates();
            String status = (String) fixture.server().invoke(ObjectNames.agent(), "status", new Object[0],
                    new String[0]);
            assertThat(status).contains("     members: ").contains("   redundant: 1 range(s)");

            String answer = (String) fixture.server().invoke(filesystem, "repairFromCopies", new Object[0],
                    new String[0]);

            assertThat(answer).startsWith("1 of 1 redundant range(s) repaired");
            assertThat(fixture.agent().ledger().find(record.id()).orElseThrow().state())
                    .isEqualTo(DamageState.REPAIRED_FROM_COPY);
            assertThat(faulty.badSectors()).isEmpty();
            assertThat(Files.readAllBytes(faulty.path("data.bin"))).isEqualTo(content);
        }
    }

    private static CompletableFuture<CompositeData> scrubFinished(SourcesFixture fixture) throws Exception {
        CompletableFuture<CompositeData> future = new CompletableFuture<>();
        NotificationListener listener = (Notification notification, Object handback) -> {
            if (notification.getType().equals(io.daxguard.agent.jmx.JmxSurface.SCRUB_FINISHED)) {
                future.complete((CompositeData) notification.getUserData());
            }
        };
        fixture.server().addNotificationListener(ObjectNames.agent(), listener, null, null);
        return future;
    }

    /** The btrfs logical address of byte {@code offset} of {@code file} (FIEMAP's physical is btrfs's logical). */
    private static long logicalOf(Path file, long offset) throws IOException {
        return FilePlacement.physicalOf(file, offset);
    }

    /** Where btrfs-progs places the logical address's mirror on the faulty member, in bytes of that member. */
    private static long placementOnFaultyMember(long logical) throws IOException {
        String out = Command.run("btrfs-map-logical", "-l", Long.toString(logical), "-b", Integer.toString(BLOCK),
                faulty.device().toString());
        Matcher mirror = MIRROR.matcher(out);
        while (mirror.find()) {
            if (Path.of(mirror.group(4)).equals(faulty.device())) {
                return Long.parseLong(mirror.group(3));
            }
        }
        throw new IOException("btrfs-map-logical placed no mirror on " + faulty.device() + ": " + out);
    }

}
