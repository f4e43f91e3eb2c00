package io.daxguard.agent;

import io.daxguard.testkit.FilePlacement;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Subvolumes on a real btrfs (one device, a FUSE faulty disk, data kept once): a file and its copy in a snapshot
 * share their blocks and have the same inode number and generation; damage under a shared block is two damaged files,
 * told apart by subvolume (statx stx_subvol), each with an MBean of its own. (The recovery operations themselves
 * refuse btrfs for now: its UUID cannot be read through a descriptor with FS_IOC_GETFSUUID, ENOTTY; their identity
 * check by subvolume is FileOpenerSubvolumeTest's.)
 */
@Tag("mount")
class BtrfsSubvolumeAgentTest {
    private static final int BLOCK = 4096;
    private static final Pattern MIRROR = Pattern.compile("mirror (\\d+) logical (\\d+) physical (\\d+) device (\\S+)");

    @RegisterExtension
    static final FaultyDisk DISK = FaultyDisk.of("btrfs").build();

    private static long badOffset;

    @BeforeAll
    static void aFileAndItsSnapshotCopyOverABadBlock() throws Exception {
        Privileges.requireRootLoopFuseAnd("mkfs.btrfs", "btrfs", "btrfs-map-logical");
        String mount = DISK.mountPoint().toString();
        AgentFixture.writeFile(DISK.path("data.bin"), 16 * BLOCK, 11);
        Command.run("btrfs", "filesystem", "sync", mount);
        Command.run("btrfs", "subvolume", "snapshot", mount, DISK.path("snap").toString());
        Command.run("btrfs", "filesystem", "sync", mount);
        badOffset = onlyPlacement(logicalOf(DISK.path("data.bin"), 3L * BLOCK));
    }

    @AfterAll
    static void clear() throws IOException {
        DISK.clear(badOffset / 512, BLOCK / 512);
    }

    @Test
    void statxTellsAFileFromItsSnapshotCopyWhichHasTheSameInodeNumber() throws Exception {
        LinuxPath original = LinuxPath.of(DISK.path("data.bin"));
        LinuxPath copy = LinuxPath.of(DISK.path("snap/data.bin"));

        assertThat(FileStatus.ofPath(copy).inode()).isEqualTo(FileStatus.ofPath(original).inode());
        assertThat(FileStatus.subvolumeOf(original)).hasValue(5);
        assertThat(FileStatus.subvolumeOf(copy).orElseThrow()).isGreaterThanOrEqualTo(256);
    }

    @Test
    void damageUnderABlockAFileSharesWithItsSnapshotCopyIsTwoDamagedFilesWithAnMBeanEach() throws Exception {
        DISK.poison(badOffset / 512, BLOCK / 512);
        try (SourcesFixture fixture = new SourcesFixture(SourceSettings.defaults().withKmsgEnabled(false)
                .withTraceEnabled(false).withBadblocksEnabled(false))) {
            CompletableFuture<DamageRecord> recorded = fixture.recordMatching(record ->
                    record.deviceName().equals(DISK.deviceName()) && record.offset() <= badOffset
                            && badOffset < record.offset() + record.length());

            AgentCalls.reportFailure(fixture.server(), DISK.deviceName(), badOffset / 512, BLOCK / 512, 5);

            DamageRecord record = SourcesFixture.await(recorded, 60);
            assertThat(record.state()).isEqualTo(DamageState.OPEN);
            assertThat(record.owners()).filteredOn(owner -> owner.file().isPresent())
                    .extracting(owner -> owner.paths().get(0) + "@" + owner.fileKey().orElseThrow().subvolume())
                    .containsExactlyInAnyOrder("/data.bin@5", "/snap/data.bin@"
                            + FileStatus.subvolumeOf(LinuxPath.of(DISK.path("snap/data.bin"))).orElseThrow());
            Set<ObjectName> files = fixture.server().queryNames(ObjectNames.damagedFilesOf(
                    DISK.mountPoint().toString()), null);
            assertThat(files).hasSize(2);
            assertThat(List.copyOf(files)).extracting(file -> {
                try {
                    return (Long) fixture.server().getAttribute(file, "Subvolume");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).doesNotHaveDuplicates();
        }
    }

    private static long logicalOf(Path file, long offset) throws IOException {
        return FilePlacement.physicalOf(file, offset);
    }

    /** Where btrfs-progs places the logical address on the one device (data is kept once: "single"). */
    private static long onlyPlacement(long logical) throws IOException {
        String out = Command.run("btrfs-map-logical", "-l", Long.toString(logical), "-b", Integer.toString(BLOCK),
                DISK.device().toString());
        Matcher mirror = MIRROR.matcher(out);
        if (!mirror.find()) {
            throw new IOException("btrfs-map-logical placed nothing: " + out);
        }
        return Long.parseLong(mirror.group(3));
    }
}
