package io.daxguard.agent.route;

import io.daxguard.agent.plugins.HandMadePlugin;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.ledger.InMemoryDamageLedger;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.topology.TopologyReader;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemInfo;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial review (issue 16, adv16). Promise (README, docs/PLUGINS.md step 6): "memberDevices(): ... The agent
 * routes a failure on any of them to this holder, and asks again when the mount table changes"; the brief: "a device
 * added (btrfs device add) while held". {@code btrfs device add} changes no line of mountinfo (the source still names
 * the first device: checked on the 6.18 kernel), and the new device was already a block device the topology knew, so
 * {@code LiveTopology.deviceFor} sees no reason to refresh: the failure on the added member is never offered to the
 * holder. Likewise {@code btrfs device remove} of a device other than the one mountinfo names: the removed device keeps
 * routing to the holder, which refuses it (not a member). Hand-made holder and sysfs, as {@link MultiDeviceRoutingTest}. FAILS on main at 21dd1af.
 */
class AdversarialMemberAddedTest {
    private static final String TYPE = "handmulti";
    private static final long MEMBER_BYTES = 64L << 20;
    private static final DeviceNumber FIRST = new DeviceNumber(259, 910);
    private static final DeviceNumber SECOND = new DeviceNumber(259, 911);
    private static final DeviceNumber ADDED = new DeviceNumber(259, 912);

    @TempDir
    Path directory;
    private final List<String> questions = Collections.synchronizedList(new ArrayList<>());
    private volatile List<DeviceNumber> members = List.of(FIRST, SECOND);
    private final AtomicInteger memberCalls = new AtomicInteger();
    private Filesystems filesystems;
    private OwnerLookup owners;
    private FailureRouter router;

    @AfterEach
    void close() {
        if (router != null) {
            router.close();
            owners.close();
            filesystems.close();
        }
    }

    @Test
    void aFailureOnADeviceAddedToAHeldFilesystemReachesItsHolder() throws Exception {
        holdTwoMembersWithASpareDisk();

        members = List.of(FIRST, SECOND, ADDED); // btrfs device add /dev/hand2: mountinfo reads as before
        router.route(new FailureTuple(new DeviceRef(ADDED, "hand2"), 1L << 20, 4096, FailureTuple.EIO, Set.of(),
                "test", Instant.now())).get(30, TimeUnit.SECONDS);

        assertThat(questions).as("what the holder was asked after hand2 joined its filesystem")
                .containsExactly(ADDED + "@" + (1L << 20) + "+4096");
    }

    /** Found by the review of the change: each failure on a device no filesystem holds asked every holder. */
    @Test
    void aStormOnADeviceNoFilesystemHoldsDoesNotAskTheHoldersForTheirMembersPerFailure() throws Exception {
        holdTwoMembersWithASpareDisk();
        int asked = memberCalls.get();

        int failures = 1000;
        for (int i = 0; i < failures; i++) {
            router.route(new FailureTuple(new DeviceRef(ADDED, "hand2"), (long) i * 4096, 4096, FailureTuple.EIO,
                    Set.of(), "test", Instant.now())).get(30, TimeUnit.SECONDS);
        }

        assertThat(memberCalls.get() - asked).as("member questions for %s failures on the spare disk", failures)
                .isLessThan(failures / 10);
    }

    private void holdTwoMembersWithASpareDisk() throws Exception {
        Path mountPoint = Files.createDirectories(directory.resolve("mnt"));
        DeviceNumber anonymous = FileStatus.ofPath(mountPoint).device();
        Path sysfs = directory.resolve("sys");
        HandMadeSysfs.blockDevice(sysfs, "hand0", FIRST, MEMBER_BYTES);
        HandMadeSysfs.blockDevice(sysfs, "hand1", SECOND, MEMBER_BYTES);
        HandMadeSysfs.blockDevice(sysfs, "hand2", ADDED, MEMBER_BYTES); // a spare disk, present before it is added
        Path mountinfo = Files.writeString(directory.resolve("mountinfo"), "36 35 " + anonymous + " / " + mountPoint
                + " rw,relatime shared:1 - " + TYPE + " /dev/hand0 rw\n");
        Mount mount = new Mount(36, anonymous, "/", LinuxPath.of(mountPoint), TYPE, "/dev/hand0", "rw");
        long inode = FileStatus.ofPath(Files.writeString(mountPoint.resolve("data"), "data")).inode();
        Holder holder = new GrowingHolder(mount, inode);
        filesystems = new Filesystems(PluginHost.of(HandMadePlugin.serving(TYPE, holder)));
        DamageEvents events = new DamageEvents();
        owners = new OwnerLookup(filesystems);
        LiveTopology topology = new LiveTopology(new TopologyReader(sysfs, mountinfo), filesystems, events);
        router = new FailureRouter(topology, owners, new InMemoryDamageLedger(), events);
        topology.refresh();
    }

    /** Answers for the members it has now, naming which one it was asked about. */
    private final class GrowingHolder implements Holder {
        private final Mount mount;
        private final long inode;

        GrowingHolder(Mount mount, long inode) {
            this.mount = mount;
            this.inode = inode;
        }

        @Override
        public Mount mount() {
            return mount;
        }

        @Override
        public FilesystemInfo info() {
            return new FilesystemInfo("00000000-0000-0000-0000-00000000grow", 4096, 3 * MEMBER_BYTES, "hand-made");
        }

        @Override
        public List<DeviceNumber> memberDevices() {
            memberCalls.incrementAndGet();
            return members;
        }

        @Override
        public List<Owner> notifyFailure(FailureRange range) {
            throw new AssertionError("a filesystem over several devices is asked with the member named");
        }

        @Override
        public List<Owner> notifyFailure(DeviceNumber member, FailureRange range) {
            if (!members.contains(member)) {
                throw new IllegalArgumentException(member + " is not a member");
            }
            questions.add(member + "@" + range.offset() + "+" + range.length());
            return List.of(new FileOwner(inode, 1, Fork.DATA, 0, range.offset(), range.length(), false, false));
        }

        @Override
        public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) {
        }

        @Override
        public void close() {
        }
    }
}
