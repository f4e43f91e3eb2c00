package io.daxguard.agent.route;

import io.daxguard.agent.plugins.HandMadePlugin;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The pipeline from the router down, on a hand-made holder: no loop device, no mkfs, milliseconds. The "disk" is
 * the device of a temporary directory (so names of real files in it pass the statx checks of the path lookup),
 * described in a sysfs tree and a mountinfo file of the kernel's formats under that directory; the filesystem on it
 * is of type {@code handmade}, held by {@link HandMadeHolder}, whose answers a test sets. The ledger is in memory.
 */
final class HandMadePipeline implements AutoCloseable {
    static final String TYPE = "handmade";
    static final long DISK_BYTES = 64L << 20;

    final Path mountPoint;
    final DeviceRef disk;
    final HandMadeHolder holder;
    final DamageEvents events = new DamageEvents();
    final InMemoryDamageLedger ledger = new InMemoryDamageLedger();
    final Filesystems filesystems;
    final OwnerLookup owners;
    final LiveTopology topology;
    final FailureRouter router;

    HandMadePipeline(Path directory) throws IOException {
        mountPoint = Files.createDirectories(directory.resolve("mnt"));
        DeviceNumber number = FileStatus.ofPath(mountPoint).device();
        disk = new DeviceRef(number, "hand0");
        Path sysfs = directory.resolve("sys");
        HandMadeSysfs.blockDevice(sysfs, "hand0", number, DISK_BYTES);
        Path mountinfo = Files.writeString(directory.resolve("mountinfo"), "36 35 " + number + " / " + mountPoint
                + " rw,relatime shared:1 - " + TYPE + " /dev/hand0 rw\n");
        holder = new HandMadeHolder(new Mount(36, number, "/", LinuxPath.of(mountPoint), TYPE, "/dev/hand0", "rw"));
        FilesystemPlugin plugin = HandMadePlugin.serving(TYPE, holder);
        filesystems = new Filesystems(PluginHost.of(plugin));
        owners = new OwnerLookup(filesystems);
        topology = new LiveTopology(new TopologyReader(sysfs, mountinfo), filesystems, events);
        router = new FailureRouter(topology, owners, ledger, events);
        topology.refresh();
    }

    /** A media error on {@code length} bytes of the disk at {@code offset}. */
    FailureTuple failure(long offset, long length) {
        return new FailureTuple(disk, offset, length, FailureTuple.EIO, Set.of(), "test", Instant.now());
    }

    /** A file of the mount point and the owner of {@code length} bytes of it at disk byte {@code physical}. */
    FileOwner fileAt(String name, long physical, long length) throws IOException {
        Path file = mountPoint.resolve(name);
        if (!Files.exists(file)) {
            Files.writeString(file, "data");
        }
        return new FileOwner(FileStatus.ofPath(file).inode(), 1, Fork.DATA, 0, physical, length, false, false);
    }

    @Override
    public void close() {
        router.close();
        owners.close();
        filesystems.close();
    }

    /** A holder whose answer a test sets; counts the questions. */
    static final class HandMadeHolder implements Holder {
        private final Mount mount;
        private volatile Function<FailureRange, List<Owner>> answer = range -> List.of();
        final AtomicInteger questions = new AtomicInteger();

        HandMadeHolder(Mount mount) {
            this.mount = mount;
        }

        void answer(Function<FailureRange, List<Owner>> answer) {
            this.answer = answer;
        }

        @Override
        public Mount mount() {
            return mount;
        }

        @Override
        public FilesystemInfo info() {
            return new FilesystemInfo("00000000-0000-0000-0000-00000000hand", 4096, DISK_BYTES, "hand-made");
        }

        @Override
        public List<Owner> notifyFailure(FailureRange range) {
            questions.incrementAndGet();
            return answer.apply(range);
        }

        @Override
        public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) {
        }

        @Override
        public void close() {
        }
    }
}
