package io.daxguard.agent.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.paths.FilePaths;
import io.daxguard.agent.plugins.AttachedFilesystem;
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
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code daxguard status} names the files of the root filesystem by their paths, with one leading slash. */
class StatusReportTest {
    private static final DeviceNumber DEVICE = new DeviceNumber(254, 0);
    private static final Instant AT = Instant.parse("2026-12-02T22:00:00Z");

    @Test
    void aDamagedFileOnTheRootFilesystemAndItsOtherLinkAreShownByTheirPaths() {
        Mount root = new Mount(1, DEVICE, "/", LinuxPath.ROOT, "ext4", "/dev/vda", "rw,relatime");
        AttachedFilesystem filesystem = new AttachedFilesystem(root, Optional.of(heldAs(root)), Optional.empty(),
                new FilePaths(LinuxPath.ROOT));
        AffectedOwner owner = new AffectedOwner(new FilesystemRef("681ec079-4389-448e-8a0f-f6947f26b935", DEVICE, "/",
                "ext4"), new FileOwner(131, 7, Fork.DATA, 0, 1 << 20, 4096, false, false),
                List.of("/usr/share/doc/x", "/usr/share/doc/y"), DamageState.OPEN);
        DamageRecord record = new DamageRecord(1, DEVICE, "vda", 1 << 20, 4096, 5, "kmsg", AT, AT, 1, List.of(owner),
                DamageState.OPEN, 0, "");

        String report = StatusReport.render("daxguard", List.of(), List.of(filesystem), List.of(record), false);

        assertThat(report.lines()).contains("        /usr/share/doc/x  (inode 131, generation 7)",
                "          also /usr/share/doc/y");
    }

    @Test
    void aFilesystemOverSeveralDevicesShowsEveryMember() {
        Mount btrfs = new Mount(2, new DeviceNumber(0, 52), "/", LinuxPath.of(java.nio.file.Path.of("/srv")), "btrfs", "/dev/loop3", "rw");
        AttachedFilesystem filesystem = new AttachedFilesystem(btrfs, Optional.of(heldAs(btrfs)), Optional.empty(),
                new FilePaths(LinuxPath.of(java.nio.file.Path.of("/srv"))));

        String report = StatusReport.render("daxguard", List.of(), List.of(filesystem), List.of(), false,
                fs -> "none: manual", fs -> Optional.empty(), fs -> List.of("loop3 (7:3)", "loop4 (7:4)"));

        assertThat(report.lines()).contains("     members: loop3 (7:3), loop4 (7:4)");
    }

    @Test
    void damageWithAnotherCopyIsShownAsRedundantWithItsRepairNotAsADamagedFile() {
        Mount btrfs = new Mount(2, new DeviceNumber(0, 52), "/", LinuxPath.of(java.nio.file.Path.of("/srv")), "btrfs",
                "/dev/loop3", "rw");
        AttachedFilesystem filesystem = new AttachedFilesystem(btrfs, Optional.of(heldAs(btrfs)), Optional.empty(),
                new FilePaths(LinuxPath.of(java.nio.file.Path.of("/srv"))));
        AffectedOwner owner = new AffectedOwner(new FilesystemRef("681ec079-4389-448e-8a0f-f6947f26b935",
                btrfs.device(), "/srv", "btrfs"), new FileOwner(257, 7, Fork.DATA, 0, 1 << 20, 4096, false, false, 5),
                List.of("/data"), DamageState.REDUNDANT);
        DamageRecord record = new DamageRecord(1, new DeviceNumber(7, 4), "loop4", 1 << 20, 4096, 5, "kmsg-btrfs", AT,
                AT, 1, List.of(owner), DamageState.REDUNDANT, 0, "");

        String report = StatusReport.render("daxguard", List.of(), List.of(filesystem), List.of(record), true);

        assertThat(report.lines()).contains("   redundant: 1 range(s), 4 KiB damaged on one copy: data intact on "
                + "another copy; repair: daxguard repair /srv", "       state: ONLINE");
        assertThat(report).doesNotContain("(inode 257, generation 7)");
    }

    /** What the report reads of a holder: that there is one, and its info. */
    private static Holder heldAs(Mount mount) {
        return new Holder() {
            @Override
            public Mount mount() {
                return mount;
            }

            @Override
            public FilesystemInfo info() {
                return new FilesystemInfo("681ec079-4389-448e-8a0f-f6947f26b935", 4096, 1L << 30, "index:fiemap");
            }

            @Override
            public List<Owner> notifyFailure(FailureRange range) {
                throw new UnsupportedOperationException("the report asks no owners");
            }

            @Override
            public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) {
                throw new UnsupportedOperationException("the report walks no extents");
            }

            @Override
            public void close() {
            }
        };
    }
}
