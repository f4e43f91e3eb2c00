package io.daxguard.agent.owners;

import io.daxguard.agent.plugins.HandMadePlugin;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
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
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.FileStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The owner lookup on a hand-made holder of a temporary directory: owners, their names, a failing reverse map. */
class OwnerLookupTest {
    @TempDir
    Path mountPoint;
    private DeviceNumber device;
    private final List<List<FailureRange>> batches = new ArrayList<>();
    private volatile boolean failing;
    private Filesystems filesystems;
    private OwnerLookup lookup;

    @BeforeEach
    void holdTheDirectory() throws IOException {
        device = FileStatus.ofPath(mountPoint).device();
        Mount mount = new Mount(1, device, "/", LinuxPath.of(mountPoint), "handmade", "/dev/hand0", "rw");
        Holder holder = new Holder() {
            @Override
            public Mount mount() {
                return mount;
            }

            @Override
            public FilesystemInfo info() {
                return new FilesystemInfo("hand-made", 4096, 1L << 20, "hand-made");
            }

            @Override
            public List<Owner> notifyFailure(FailureRange range) throws IOException {
                if (failing) {
                    throw new IOException("a bad block in the reverse map itself");
                }
                return List.of(new FileOwner(inodeOf("a"), 1, Fork.DATA, 0, range.offset(), range.length(), false,
                        false), new FileOwner(inodeOf("b"), 1, Fork.DATA, 0, range.offset(), range.length(), true,
                        false));
            }

            @Override
            public List<List<Owner>> notifyFailures(List<FailureRange> ranges) throws IOException {
                batches.add(List.copyOf(ranges));
                return Holder.super.notifyFailures(ranges);
            }

            @Override
            public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) {
            }

            @Override
            public void close() {
            }
        };
        FilesystemPlugin plugin = HandMadePlugin.serving("handmade", holder);
        Files.writeString(mountPoint.resolve("a"), "a");
        Files.createDirectories(mountPoint.resolve("dir"));
        Files.writeString(mountPoint.resolve("dir/b"), "b");
        Files.createLink(mountPoint.resolve("b-again"), mountPoint.resolve("dir/b"));
        filesystems = new Filesystems(PluginHost.of(plugin));
        filesystems.sync(new Topology(List.of(new BlockDevice("hand0", device, 1L << 20, Optional.empty(), 0,
                Optional.empty())), List.of(mount)));
        lookup = new OwnerLookup(filesystems);
    }

    @AfterEach
    void close() {
        lookup.close();
        filesystems.close();
    }

    private long inodeOf(String name) {
        try {
            return FileStatus.ofPath(mountPoint.resolve(name.equals("b") ? "dir/b" : name)).inode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private AttachedFilesystem filesystem() {
        return filesystems.on(device).orElseThrow();
    }

    @Test
    void everyOwnerComesWithEveryNameOfItsFile() throws IOException {
        List<AffectedOwner> owners = lookup.resolve(filesystem(), FailureRange.of(4096, 512));

        assertThat(owners).hasSize(2);
        assertThat(owners.get(0).paths()).containsExactly("/a");
        assertThat(owners.get(1).paths()).containsExactlyInAnyOrder("/b-again", "/dir/b");
    }

    @Test
    void aBatchIsOneQuestionToTheHolder() throws IOException {
        List<List<AffectedOwner>> answers = lookup.resolveAll(filesystem(),
                List.of(FailureRange.of(0, 512), FailureRange.of(8192, 512), FailureRange.of(65536, 4096)));

        assertThat(answers).hasSize(3);
        assertThat(batches).singleElement().satisfies(batch -> assertThat(batch).hasSize(3));
    }

    @Test
    void aReverseMapThatFailsGivesOneUnknownOwnerSayingWhy() {
        failing = true;

        List<AffectedOwner> owners = lookup.ownersOn(device, "hand0", new FailureRange(4096, 512, 5, Set.of()));

        assertThat(owners).singleElement().satisfies(owner -> {
            assertThat(owner.owner()).isInstanceOf(UnknownOwner.class);
            assertThat(((UnknownOwner) owner.owner()).reason()).contains("a bad block in the reverse map itself");
        });
    }

    @Test
    void aDeviceNoFilesystemIsHeldOnHasNoOwners() {
        assertThat(lookup.ownersOn(new DeviceNumber(4095, 1), "elsewhere", FailureRange.of(0, 512))).isEmpty();
    }
}
