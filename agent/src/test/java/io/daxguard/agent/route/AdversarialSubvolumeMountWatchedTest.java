package io.daxguard.agent.route;

import io.daxguard.agent.plugins.HandMadePlugin;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.topology.TopologyReader;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FileStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial review (issue 16, adv16). Promise (README): "bin/daxguard run watches every mounted block-device
 * filesystem it has a plugin for (XFS, ext4 and btrfs ...)"; btrfs "device + sector -> every owner in every subvolume
 * and snapshot"; the btrfs holder even maps names under {@code Mount.root()} (SubvolumePaths.placeUnderMount) for
 * such mounts. A btrfs is usually mounted by subvolume only ({@code subvol=/data}; Fedora, openSUSE and Ubuntu's
 * installers mount {@code subvol=root}/{@code @}/{@code @home}, never the top level), and mountinfo's root field is
 * then the subvolume ({@code /data}). {@code Topology.primaryMount} keeps only mounts showing the whole filesystem
 * (root "/"), so such a btrfs is never attached, watched or not, and not even listed NOT HELD with a reason: its
 * failures have no filesystem, silently. Hand-made sysfs and mountinfo as {@link MultiDeviceRoutingTest}. Both
 * tests FAIL on main at 21dd1af.
 */
class AdversarialSubvolumeMountWatchedTest {
    private static final DeviceNumber DISK = new DeviceNumber(259, 920);

    @TempDir
    Path directory;
    private Filesystems filesystems;

    @AfterEach
    void close() {
        if (filesystems != null) {
            filesystems.close();
        }
    }

    @Test
    void aBtrfsMountedBySubvolumeUnderAWatchedDirectoryIsHeldOrSaysWhyNot() throws IOException {
        Path srv = Files.createDirectories(directory.resolve("srv"));

        assertThat(syncWithSubvolumeMount(srv, List.of(srv)))
                .as("filesystems known when /srv is watched and the btrfs is mounted there with subvol=/data")
                .hasSize(1);
    }

    @Test
    void theSameMountIsHeldWhenNothingIsWatched() throws IOException {
        Path srv = Files.createDirectories(directory.resolve("srv"));

        assertThat(syncWithSubvolumeMount(srv, List.of())).hasSize(1);
    }

    private List<?> syncWithSubvolumeMount(Path srv, List<Path> watched) throws IOException {
        DeviceNumber anonymous = FileStatus.ofPath(srv).device();
        Path sysfs = directory.resolve("sys");
        HandMadeSysfs.blockDevice(sysfs, "hand0", DISK, 64L << 20);
        Path mountinfo = Files.writeString(directory.resolve("mountinfo"), "36 35 " + anonymous + " /data " + srv
                + " rw,relatime shared:1 - btrfs /dev/hand0 rw,subvolid=256,subvol=/data\n");
        filesystems = new Filesystems(PluginHost.of(new HandMadePlugin("btrfs", SubvolumeHolder::new)), watched);
        new LiveTopology(new TopologyReader(sysfs, mountinfo), filesystems, new DamageEvents()).refresh();
        return filesystems.all();
    }

    private record SubvolumeHolder(Mount mount) implements Holder {
        @Override
        public FilesystemInfo info() {
            return new FilesystemInfo("00000000-0000-0000-0000-000000subvol", 4096, 64L << 20, "hand-made");
        }

        @Override
        public List<DeviceNumber> memberDevices() {
            return List.of(DISK);
        }

        @Override
        public List<Owner> notifyFailure(FailureRange range) {
            return List.of();
        }

        @Override
        public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) {
        }

        @Override
        public void close() {
        }
    }
}
