package io.daxguard.agent.route;

import io.daxguard.agent.plugins.HandMadePlugin;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.ProcessingResult;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.recovery.CopyRepair;
import io.daxguard.agent.ledger.InMemoryDamageLedger;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.topology.TopologyReader;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Fork;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FileStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filesystem over two devices, as btrfs is: mounted on an anonymous device number (the temporary directory's, which
 * is no block device of the hand-made sysfs) with a source naming its first device. It is held once, and a failure on
 * its second device reaches its holder with the member named and the offset relative to that member. A hand-made
 * holder; no mkfs.
 */
class MultiDeviceRoutingTest {
    private static final String TYPE = "handmulti";
    private static final long MEMBER_BYTES = 64L << 20;
    private static final DeviceNumber FIRST = new DeviceNumber(259, 900);
    private static final DeviceNumber SECOND = new DeviceNumber(259, 901);

    @TempDir
    Path directory;
    private final DamageEvents events = new DamageEvents();
    private final InMemoryDamageLedger ledger = new InMemoryDamageLedger();
    private final List<String> questions = Collections.synchronizedList(new ArrayList<>());
    private final List<String> repairs = Collections.synchronizedList(new ArrayList<>());
    /** The layout the holder reports: raid1 (two copies) unless a test says otherwise. */
    private volatile io.daxguard.spi.Redundancy layout = new io.daxguard.spi.Redundancy("raid1", 2);
    private volatile io.daxguard.spi.RepairOutcome repairOutcome = new io.daxguard.spi.RepairOutcome(true, 4096, 0,
            "scrub: 4096 bytes corrected");
    private Path mountPoint;
    private Filesystems filesystems;
    private OwnerLookup owners;
    private LiveTopology topology;
    private FailureRouter router;

    @BeforeEach
    void twoDeviceFilesystem() throws IOException {
        mountPoint = Files.createDirectories(directory.resolve("mnt"));
        DeviceNumber anonymous = FileStatus.ofPath(mountPoint).device();
        Path sysfs = directory.resolve("sys");
        HandMadeSysfs.blockDevice(sysfs, "hand0", FIRST, MEMBER_BYTES);
        HandMadeSysfs.blockDevice(sysfs, "hand1", SECOND, MEMBER_BYTES);
        Path mountinfo = Files.writeString(directory.resolve("mountinfo"), "36 35 " + anonymous + " / " + mountPoint
                + " rw,relatime shared:1 - " + TYPE + " /dev/hand0 rw\n");
        Mount mount = new Mount(36, anonymous, "/", LinuxPath.of(mountPoint), TYPE, "/dev/hand0", "rw");
        Path file = Files.writeString(mountPoint.resolve("data"), "data");
        long inode = FileStatus.ofPath(file).inode();
        Holder holder = new TwoDeviceHolder(mount, inode);
        FilesystemPlugin plugin = HandMadePlugin.serving(TYPE, holder);
        filesystems = new Filesystems(PluginHost.of(plugin));
        owners = new OwnerLookup(filesystems);
        topology = new LiveTopology(new TopologyReader(sysfs, mountinfo), filesystems, events);
        router = new FailureRouter(topology, owners, ledger, events);
        topology.refresh();
    }

    @AfterEach
    void close() {
        router.close();
        owners.close();
        filesystems.close();
    }

    @Test
    void theFilesystemIsHeldOnceWithBothMembers() {
        assertThat(filesystems.all()).hasSize(1);
        AttachedFilesystem held = filesystems.all().get(0);
        assertThat(held.holder()).isPresent();
        assertThat(filesystems.members(held)).containsExactly(FIRST, SECOND);
        assertThat(filesystems.memberLabels(held)).containsExactly("hand0 (259:900)", "hand1 (259:901)");
    }

    @Test
    void aFailureOnTheSecondMemberReachesTheHolderRelativeToThatMember() throws Exception {
        ProcessingResult result = router.route(new FailureTuple(new DeviceRef(SECOND, "hand1"), 1L << 20, 4096,
                FailureTuple.EIO, Set.of(), "test", Instant.now())).get(30, TimeUnit.SECONDS);

        assertThat(questions).containsExactly(SECOND + "@" + (1L << 20) + "+4096");
        assertThat(result.recorded()).hasSize(1);
        assertThat(result.recorded().get(0).device()).isEqualTo(SECOND);
        List<AffectedOwner> affected = result.recorded().get(0).owners();
        assertThat(affected).hasSize(1);
        assertThat(affected.get(0).paths()).containsExactly("/data");
        assertThat(affected.get(0).filesystem().uuid()).isEqualTo(TwoDeviceHolder.UUID);
    }

    @Test
    void aFailureOnTheFirstMemberNamedByTheMountSourceIsRoutedAsWell() throws Exception {
        router.route(new FailureTuple(new DeviceRef(FIRST, "hand0"), 8192, 4096, FailureTuple.EIO, Set.of(), "test",
                Instant.now())).get(30, TimeUnit.SECONDS);

        assertThat(questions).containsExactly(FIRST + "@8192+4096");
    }

    @Test
    void damageTheFilesystemKeepsAnotherCopyOfIsRecordedRedundantNotAsDataLoss() throws Exception {
        DamageRecord record = failOnSecondMember();

        assertThat(record.state()).isEqualTo(DamageState.REDUNDANT);
        assertThat(record.owners()).extracting(AffectedOwner::state).containsExactly(DamageState.REDUNDANT);
        assertThat(DamagedFile.group(ledger.records())).flatExtracting(DamagedFile::openHits).isEmpty();
    }

    @Test
    void damageWithNoOtherCopyIsOpen() throws Exception {
        layout = io.daxguard.spi.Redundancy.NONE;

        assertThat(failOnSecondMember().state()).isEqualTo(DamageState.OPEN);
    }

    @Test
    void redundantDamageReportedAgainIsSeenAgainNotRecordedTwice() throws Exception {
        failOnSecondMember();
        failOnSecondMember();

        assertThat(ledger.records()).singleElement().satisfies(record -> assertThat(record.count()).isEqualTo(2));
    }

    @Test
    void aRepairFromTheCopyThatVerifiesClosesTheRecordAndIsAudited() throws Exception {
        DamageRecord record = failOnSecondMember();
        CopyRepair copies = new CopyRepair(ledger, java.time.Clock.systemUTC(), kmsg());

        List<CopyRepair.Outcome> outcomes = copies.repairAll(filesystems.all().get(0), "operator");

        assertThat(repairs).containsExactly(SECOND + "@" + (1L << 20) + "+4096");
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.repaired()).isTrue());
        assertThat(ledger.find(record.id()).orElseThrow().state()).isEqualTo(DamageState.REPAIRED_FROM_COPY);
        assertThat(ledger.history(record.owners().get(0).fileKey().orElseThrow())).singleElement()
                .satisfies(entry -> assertThat(entry.principal()).isEqualTo("operator"));
    }

    @Test
    void aRepairThatFindsNoGoodCopyLeavesTheDamageOpenAsDataLoss() throws Exception {
        DamageRecord record = failOnSecondMember();
        repairOutcome = new io.daxguard.spi.RepairOutcome(false, 0, 4096, "scrub: 4096 bytes uncorrectable");

        new CopyRepair(ledger, java.time.Clock.systemUTC(), kmsg()).repairAll(filesystems.all().get(0), "operator");

        assertThat(ledger.find(record.id()).orElseThrow().state()).isEqualTo(DamageState.OPEN);
    }

    /** Where the repair's markers go: a file of the test's, not the host's kernel log. */
    private Path kmsg() throws IOException {
        Path kmsg = directory.resolve("kmsg");
        if (!Files.exists(kmsg)) {
            Files.createFile(kmsg);
        }
        return kmsg;
    }

    private DamageRecord failOnSecondMember() throws Exception {
        ProcessingResult result = router.route(new FailureTuple(new DeviceRef(SECOND, "hand1"), 1L << 20, 4096,
                FailureTuple.EIO, Set.of(), "test", Instant.now())).get(30, TimeUnit.SECONDS);
        return result.recorded().isEmpty() ? result.alreadyKnown().get(0) : result.recorded().get(0);
    }

    /** Answers for its two members only, naming which member it was asked about. */
    private final class TwoDeviceHolder implements Holder {
        static final String UUID = "00000000-0000-0000-0000-0000000multi";
        private final Mount mount;
        private final long inode;

        TwoDeviceHolder(Mount mount, long inode) {
            this.mount = mount;
            this.inode = inode;
        }

        @Override
        public Mount mount() {
            return mount;
        }

        @Override
        public FilesystemInfo info() {
            return new FilesystemInfo(UUID, 4096, 2 * MEMBER_BYTES, "hand-made, two devices");
        }

        @Override
        public List<DeviceNumber> memberDevices() {
            return List.of(FIRST, SECOND);
        }

        @Override
        public List<Owner> notifyFailure(FailureRange range) {
            throw new AssertionError("a filesystem over several devices is asked with the member named");
        }

        @Override
        public List<Owner> notifyFailure(DeviceNumber member, FailureRange range) {
            questions.add(member + "@" + range.offset() + "+" + range.length());
            return List.of(new FileOwner(inode, 1, Fork.DATA, 0, range.offset(), range.length(), false, false));
        }

        @Override
        public io.daxguard.spi.Redundancy redundancy(DeviceNumber member, FailureRange range) {
            return layout;
        }

        @Override
        public io.daxguard.spi.RepairOutcome repairFromCopies(DeviceNumber member, FailureRange range) {
            repairs.add(member + "@" + range.offset() + "+" + range.length());
            return repairOutcome;
        }

        @Override
        public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) {
        }

        @Override
        public void close() {
        }
    }
}
