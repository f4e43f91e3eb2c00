package io.daxguard.btrfs;

import static io.daxguard.btrfs.BtrfsFixtures.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.Redundancy;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review (issue 16, adv16): a raid1 btrfs mounted degraded (one of its two devices missing), held.
 * Promise (README, docs/PLUGINS.md step 6): "raid1/raid10/DUP damage to one copy is REDUNDANT (the filesystem reads
 * the other copy) ... single/raid0 damage is data loss". With the mirror missing there is no other copy: damage on
 * the surviving device is data loss. {@code BtrfsHolder.redundancy} reads the copies from the chunk's profile alone
 * ({@code Profile.copiesIn}) and says {@code raid1, 2}, so the agent records lost data as REDUNDANT (no data loss,
 * no recovery of the damaged files) and offers {@code daxguard repair} for it. FAILS on main at 21dd1af.
 */
@Tag("mount")
class AdversarialDegradedRaid1Test {
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    @Test
    void damageOnTheOnlyPresentCopyOfADegradedRaid1IsNotRedundant() throws Exception {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs", "btrfs-map-logical", "losetup", "mount", "umount");
        Deque<Step> undo = new ArrayDeque<>();
        try {
            Path directory = Files.createTempDirectory("daxguard-adv16-degraded-");
            undo.push(() -> Command.run("rm", "-rf", directory.toString()));
            String first = attach(directory.resolve("first.img"), undo);
            String second = attach(directory.resolve("second.img"), undo);
            Command.run("mkfs.btrfs", "-q", "-f", "-d", "raid1", "-m", "raid1", first, second);
            Path mountPoint = Files.createDirectory(directory.resolve("mnt"));
            Command.run("mount", first, mountPoint.toString());
            undo.push(() -> Command.tryRun("umount", mountPoint.toString()));
            Path file = BtrfsFixtures.writeCommitted(mountPoint.resolve("mirrored"), 4);
            long logical = BtrfsFixtures.logicalOf(file, 0);
            long inode = BtrfsFixtures.inodeOf(file);
            BtrfsFixtures.Placement onFirst = BtrfsFixtures.placementsOf(logical, Path.of(first)).stream()
                    .filter(placement -> placement.device().equals(Path.of(first))).findFirst().orElseThrow();
            Command.run("umount", mountPoint.toString());
            // The second device leaves: btrfs forgets it, and the filesystem is mounted degraded from the first.
            Command.run("btrfs", "device", "scan", "--forget", second);
            Command.run("mount", "-o", "degraded", first, mountPoint.toString());
            assertThat(Command.run("btrfs", "filesystem", "show", mountPoint.toString())).contains("MISSING");

            try (Holder holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(mountPoint),
                    PluginContext.of(System.getLogger("test")))) {
                DeviceNumber present = FileStatus.ofPath(LinuxPath.fromDisplay(first)).rdev();
                assertThat(holder.memberDevices()).containsExactly(present);
                FailureRange damage = FailureRange.of(onFirst.physical(), BLOCK);
                assertThat(holder.notifyFailure(present, damage)).singleElement()
                        .isInstanceOfSatisfying(FileOwner.class, owner -> assertThat(owner.inode()).isEqualTo(inode));

                Redundancy redundancy = holder.redundancy(present, damage);
                assertThat(redundancy.hasOtherCopies())
                        .as("redundancy of the only present copy of a degraded raid1 (the mirror is MISSING): %s",
                                redundancy)
                        .isFalse();
            }
        } finally {
            IOException failure = null;
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = new IOException("cleaning up the degraded raid1", e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private static String attach(Path image, Deque<Step> undo) throws IOException {
        try (RandomAccessFile created = new RandomAccessFile(image.toFile(), "rw")) {
            created.setLength(320L << 20);
        }
        String loop = Command.run("losetup", "--find", "--show", image.toString()).strip();
        undo.push(() -> Command.run("losetup", "--detach", loop));
        undo.push(() -> Command.tryRun("btrfs", "device", "scan", "--forget", loop));
        return loop;
    }
}
