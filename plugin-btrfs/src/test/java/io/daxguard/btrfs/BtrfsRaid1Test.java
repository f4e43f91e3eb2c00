package io.daxguard.btrfs;

import static io.daxguard.btrfs.BtrfsFixtures.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MemberFailure;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.Redundancy;
import io.daxguard.spi.RepairOutcome;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.SectorRange;
import io.daxguard.testkit.TwoDeviceBtrfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * btrfs raid1 (data, metadata, system) over two loop devices, the first a faulty disk: both members, each mirror
 * owned, redundancy from the profile, damage on one member read from the other, found by scrub and btrfs's kernel
 * lines, and repaired from the copy.
 */
@Tag("mount")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BtrfsRaid1Test {
    private static TwoDeviceBtrfs raid;
    private static FaultyDisk faulty;
    private static Holder holder;
    private static DeviceNumber faultyMember;
    private static DeviceNumber healthyMember;

    @BeforeAll
    static void attach() throws IOException {
        Privileges.requireRootLoopFuseAnd("mkfs.btrfs", "btrfs", "btrfs-map-logical");
        faulty = FaultyDisk.of("btrfs").build();
        faulty.create();
        raid = new TwoDeviceBtrfs(faulty, faulty.mountPoint(), faulty.device()).create("raid1", 320L << 20);
        holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(raid.mountPoint()),
                PluginContext.of(System.getLogger("test")));
        faultyMember = faulty.deviceNumber();
        healthyMember = FileStatus.ofPath(raid.secondDevice()).rdev();
    }

    @AfterAll
    static void detach() throws IOException {
        try {
            if (holder != null) {
                holder.close();
            }
        } finally {
            if (raid != null) {
                raid.close();
            } else if (faulty != null) {
                faulty.close();
            }
        }
    }

    @Test
    void bothDevicesAreMembers() throws IOException {
        assertThat(holder.memberDevices()).containsExactlyInAnyOrder(faultyMember, healthyMember);
    }

    @Test
    void eachMirrorOfAFileBlockIsOwnedByTheFileAndHasTwoCopies() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(raid.path("mirrored"), 8);
        List<BtrfsFixtures.Placement> mirrors = BtrfsFixtures.placementsOf(BtrfsFixtures.logicalOf(file, 3 * BLOCK),
                raid.firstDevice());
        assertThat(mirrors).hasSize(2);
        long inode = inodeOf(file);

        for (BtrfsFixtures.Placement mirror : mirrors) {
            DeviceNumber member = mirror.deviceNumber();
            List<Owner> owners = holder.notifyFailure(member, FailureRange.of(mirror.physical(), BLOCK));
            assertThat(owners).singleElement().isInstanceOfSatisfying(FileOwner.class, owner -> {
                assertThat(owner.inode()).isEqualTo(inode);
                assertThat(owner.fileOffset()).isEqualTo(3 * BLOCK);
                assertThat(owner.physicalOffset()).isEqualTo(mirror.physical());
            });
            assertThat(holder.redundancy(member, FailureRange.of(mirror.physical(), BLOCK)))
                    .isEqualTo(new Redundancy("raid1", 2));
        }
        assertThat(mirrors).extracting(BtrfsFixtures.Placement::device)
                .containsExactlyInAnyOrder(raid.firstDevice(), raid.secondDevice());
    }

    @Test
    void metadataIsRaid1Too() throws IOException {
        long rootTree = BtrfsFixtures.superblockField(raid.firstDevice(), "root");
        for (BtrfsFixtures.Placement mirror : BtrfsFixtures.placementsOf(rootTree, raid.firstDevice())) {
            assertThat(holder.notifyFailure(mirror.deviceNumber(), FailureRange.of(mirror.physical(), BLOCK)))
                    .singleElement().extracting(owner -> ((io.daxguard.spi.MetadataOwner) owner).kind())
                    .isEqualTo("btrfs.tree.root");
            assertThat(holder.redundancy(mirror.deviceNumber(), FailureRange.of(mirror.physical(), BLOCK)).profile())
                    .isEqualTo("raid1");
        }
    }

    /**
     * First of the class: btrfs rate-limits scrub's error lines (10 per 5 s at each place it prints them), so the
     * lines this test reads must not follow another test's scrub errors.
     */
    @Test
    @Order(1)
    void aBadSectorOnOneMemberIsReadFromTheOtherFoundByScrubAndRepairedFromTheCopy() throws Exception {
        Path file = BtrfsFixtures.writeCommitted(raid.path("damaged"), 16);
        byte[] content = Files.readAllBytes(file);
        BtrfsFixtures.Placement onFaulty = BtrfsFixtures.placementsOf(BtrfsFixtures.logicalOf(file, 5 * BLOCK),
                raid.firstDevice()).stream().filter(p -> p.device().equals(raid.firstDevice())).findFirst()
                .orElseThrow();
        SectorRange bad = new SectorRange(onFaulty.physical() / 512, BLOCK / 512);
        dropCaches();
        faulty.poison(bad);

        assertThat(Files.readAllBytes(file)).isEqualTo(content);

        faulty.poison(bad); // the read may have rewritten it from the other copy already
        List<String> lines;
        RepairOutcome outcome;
        try (KernelLog log = KernelLog.fromNow()) {
            outcome = holder.repairFromCopies(faultyMember, FailureRange.of(onFaulty.physical(), BLOCK));
            lines = log.lines();
        }

        assertThat(outcome.repaired()).as(outcome.detail()).isTrue();
        assertThat(outcome.bytesRewritten()).as(outcome.detail()).isGreaterThanOrEqualTo(BLOCK);
        assertThat(faulty.badSectors()).isEmpty();
        List<MemberFailure> found = new ArrayList<>();
        for (String line : lines) {
            found.addAll(holder.failuresIn(line));
        }
        System.err.println("kernel lines of the scrub:\n" + String.join("\n", lines));
        assertThat(found).as(String.join("\n", lines)).anySatisfy(failure -> {
            assertThat(failure.member()).isEqualTo(faultyMember);
            assertThat(failure.range().offset()).isLessThanOrEqualTo(onFaulty.physical());
            assertThat(failure.range().end()).isGreaterThanOrEqualTo(onFaulty.physical() + BLOCK);
        });
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
    }

    @Test
    void aBlockBadOnBothMembersIsReportedUncorrectable() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(raid.path("lost"), 4);
        List<BtrfsFixtures.Placement> mirrors = BtrfsFixtures.placementsOf(BtrfsFixtures.logicalOf(file, BLOCK),
                raid.firstDevice());
        BtrfsFixtures.Placement onFaulty = mirrors.stream().filter(p -> p.device().equals(raid.firstDevice()))
                .findFirst().orElseThrow();
        BtrfsFixtures.Placement onHealthy = mirrors.stream().filter(p -> p.device().equals(raid.secondDevice()))
                .findFirst().orElseThrow();
        SectorRange bad = new SectorRange(onFaulty.physical() / 512, BLOCK / 512);
        try {
            // The healthy copy overwritten behind btrfs's back (its checksum no longer matches), the other unreadable.
            Command.run("dd", "if=/dev/urandom", "of=" + raid.secondDevice(), "bs=4096",
                    "seek=" + onHealthy.physical() / BLOCK, "count=1", "oflag=direct", "conv=notrunc", "status=none");
            faulty.poison(bad);

            RepairOutcome outcome = holder.repairFromCopies(faultyMember, FailureRange.of(onFaulty.physical(), BLOCK));

            assertThat(outcome.repaired()).as(outcome.detail()).isFalse();
            assertThat(outcome.uncorrectable()).as(outcome.detail()).isGreaterThanOrEqualTo(BLOCK);
            assertThat(outcome.detail()).contains("uncorrectable");
        } finally {
            // Free the lost block, so no other test's scrub meets it, and make the faulty sectors good again.
            faulty.clear(bad);
            Files.delete(file);
            BtrfsFixtures.commit(raid.mountPoint());
        }
    }

    @Test
    void aRangeWithoutOtherCopiesIsNotRepairedFromCopies() throws IOException {
        long unallocated = (320L << 20) - BLOCK;
        assertThat(holder.redundancy(healthyMember, FailureRange.of(unallocated, BLOCK))).isEqualTo(Redundancy.NONE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> holder.repairFromCopies(healthyMember,
                FailureRange.of(unallocated, BLOCK))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aChecksumFailureOfAFileIsPlacedOnTheMirrorTheLineNames() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(raid.path("csum"), 4);
        List<BtrfsFixtures.Placement> mirrors = BtrfsFixtures.placementsOf(BtrfsFixtures.logicalOf(file, BLOCK),
                raid.firstDevice());
        String prefix = "BTRFS warning (device " + raid.firstDevice().getFileName() + "): ";

        for (BtrfsFixtures.Placement mirror : mirrors) {
            String line = prefix + "csum failed root 5 ino " + inodeOf(file) + " off 4096 csum 0x300da647 expected"
                    + " csum 0x0426ff92 mirror " + mirror.mirror();
            assertThat(holder.failuresIn(line)).containsExactly(new MemberFailure(mirror.deviceNumber(),
                    FailureRange.of(mirror.physical(), BLOCK), line.substring(prefix.length())));
        }
    }

    @Test
    void aScrubLineNamingTheSecondMemberIsPlacedThereAndOtherFilesystemsLinesAreNotOurs() throws IOException {
        String second = raid.secondDevice().toString();
        String line = "BTRFS warning (device " + raid.firstDevice().getFileName() + "): scrub: checksum error at logical"
                + " 88145920 on dev " + second + ", physical 67174400 root 5 inode 257 offset 0 length 4096 links 1"
                + " (path: f)";

        assertThat(holder.failuresIn(line)).singleElement().satisfies(failure -> {
            assertThat(failure.member()).isEqualTo(healthyMember);
            assertThat(failure.range()).isEqualTo(FailureRange.of(67174400, 64 * 1024));
        });
        assertThat(holder.failuresIn(line.replace("(device " + raid.firstDevice().getFileName(), "(device loop4095")))
                .isEmpty();
        assertThat(holder.failuresIn("EXT4-fs error (device loop3): ext4_find_entry:1455: inode #2: comm ls: reading"
                + " directory lblock 0")).isEmpty();
    }

    @Test
    void theWrittenExtentsOfTheSecondMemberHoldItsMirrorOfAFile() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(raid.path("scrubbed-mirror"), 4);
        BtrfsFixtures.Placement onSecond = BtrfsFixtures.placementsOf(BtrfsFixtures.logicalOf(file, 0),
                raid.firstDevice()).stream().filter(p -> p.device().equals(raid.secondDevice())).findFirst()
                .orElseThrow();
        List<long[]> written = new ArrayList<>();
        holder.forEachWrittenExtent(healthyMember, 0, 320L << 20, (offset, length) -> written.add(
                new long[] {offset, length}));

        assertThat(written).anySatisfy(e -> assertThat(e[0] <= onSecond.physical()
                && onSecond.physical() + 4 * BLOCK <= e[0] + e[1]).isTrue());
    }

    private static long inodeOf(Path file) throws IOException {
        return BtrfsFixtures.inodeOf(file);
    }

    private static void dropCaches() throws IOException {
        Command.run("sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches");
    }
}
