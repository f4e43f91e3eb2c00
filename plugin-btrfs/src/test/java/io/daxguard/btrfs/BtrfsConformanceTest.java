package io.daxguard.btrfs;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Mount;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.testkit.TwoDeviceBtrfs;
import io.daxguard.testkit.conformance.ConformanceFilesystem;
import io.daxguard.testkit.conformance.FilesystemFacts;
import io.daxguard.testkit.conformance.Placement;
import io.daxguard.testkit.conformance.PluginConformanceSuite;
import io.daxguard.testkit.conformance.Refusal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/**
 * The plugin conformance suite on btrfs: on one loop device (data single, metadata DUP, mkfs's defaults) and raid1
 * (data, metadata, system) over two. FIEMAP's physical addresses are btrfs logical addresses, so the files are placed
 * on each member by the chunk map, and every check runs on each member through the member calls. Ground truth from
 * btrfs-progs alone ({@link BtrfsGroundTruth}: dump-tree, dump-super, filesystem show; the subvolume from
 * {@code btrfs inspect-internal rootid}).
 */
@Tag("mount")
class BtrfsConformanceTest {
    @Nested
    class OnOneDevice extends BtrfsSuite {
        @Override
        protected ConformanceFilesystem createFilesystem() throws IOException {
            return ConformanceFilesystem.of(ScratchFilesystem.of("btrfs").create());
        }
    }

    @Nested
    class Raid1OverTwoDevices extends BtrfsSuite {
        @Override
        protected ConformanceFilesystem createFilesystem() throws IOException {
            ScratchFilesystem first = ScratchFilesystem.of("btrfs").create();
            TwoDeviceBtrfs raid = new TwoDeviceBtrfs(first, first.mountPoint(), first.device())
                    .create("raid1", 320L << 20);
            return ConformanceFilesystem.of("btrfs", first.mountPoint(), first.device(), raid);
        }
    }

    abstract static class BtrfsSuite extends PluginConformanceSuite {
        private BtrfsGroundTruth truth;

        @Override
        protected FilesystemPlugin plugin() {
            return new BtrfsPlugin();
        }

        @Override
        protected boolean supportsReflink() {
            return true;
        }

        private BtrfsGroundTruth truth() {
            if (truth == null) {
                truth = new BtrfsGroundTruth(filesystem().mountPoint());
            }
            return truth;
        }

        @Override
        protected List<Placement> placementsOf(long fiemapPhysical, long length) throws IOException {
            return truth().placementsOf(fiemapPhysical, length);
        }

        @Override
        protected FilesystemFacts facts(ConformanceFilesystem fs, DeviceNumber member) throws IOException {
            return truth().facts(member);
        }

        /** Each member has facts of its own; the suite asks through {@link #facts(ConformanceFilesystem,
         * DeviceNumber)}, since the mount table's device (0:NN) is none of them. */
        @Override
        protected FilesystemFacts facts(ConformanceFilesystem fs) throws IOException {
            return truth().facts(truth().members().get(0).device());
        }

        @Override
        protected long subvolumeOf(Path file) throws IOException {
            return Long.parseLong(Command.run("btrfs", "inspect-internal", "rootid", file.toString()).strip());
        }

        /**
         * A btrfs mount whose mount point another filesystem now covers (a tmpfs mounted over a bind mount of it):
         * the mount table still names the btrfs there, but nothing reaches it through that path. Otherwise btrfs
         * refuses no mount a root test can make: any subvolume or subdirectory mount reaches the whole filesystem's
         * trees, the refusal without CAP_SYS_ADMIN needs a process without it, and one with every device missing
         * cannot be mounted.
         */
        @Override
        protected Refusal refusal(ConformanceFilesystem fs) throws IOException {
            Privileges.requireRootLoopAnd("mount", "umount");
            ConformanceFilesystem.BindMount bind = fs.bindMount("covered");
            try {
                Mount covered = bind.mount();
                Path target = Path.of(covered.mountPoint().display());
                Command.run("mount", "-t", "tmpfs", "daxguard-cover", target.toString());
                return new Refusal(covered, List.of("mounted over", "umount " + target), () -> {
                    try {
                        Command.run("umount", target.toString());
                    } finally {
                        bind.close();
                        Files.deleteIfExists(fs.path("covered"));
                    }
                });
            } catch (IOException | RuntimeException e) {
                bind.close();
                throw e;
            }
        }
    }
}
