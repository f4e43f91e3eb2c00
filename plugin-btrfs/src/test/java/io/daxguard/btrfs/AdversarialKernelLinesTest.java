package io.daxguard.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MemberFailure;
import io.daxguard.spi.PluginContext;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.testkit.TwoDeviceBtrfs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review (issue 16, adv16): btrfs's own kernel lines as a failure source ({@code Holder.failuresIn}),
 * fed with lines the real kernel writes. Each test FAILS on main at 21dd1af; each names the promise it breaks.
 */
@Tag("mount")
class AdversarialKernelLinesTest {

    /**
     * Promise: "reject another filesystem's lines" (docs/PLUGINS.md step 6). The kernel prints a btrfs label verbatim
     * when it first sees a device ({@code BTRFS: device label <label> devid 1 ... scanned by mount}); the parser looks
     * for {@code "BTRFS "} anywhere in the line ({@code BtrfsLogLine.parse}: {@code line.indexOf("BTRFS ")}), so a
     * label that reads like a scrub error of the held filesystem is taken as damage on its member, at an offset the
     * label's author chose. Anyone who can get a device scanned or mounted (a USB stick and udev's scan, an
     * automounter) injects failures; the agent records them as source kmsg-btrfs and acts on them.
     */
    @Test
    void aLabelOfAnotherBtrfsThatReadsLikeAScrubErrorIsNoFailureOfTheHeldOne() throws Exception {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs");
        try (ScratchFilesystem held = ScratchFilesystem.of("btrfs").create();
             Holder holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(held.mountPoint()),
                     PluginContext.of(System.getLogger("test")))) {
            String label = "BTRFS error (device " + held.device().getFileName() + "): scrub: checksum error at"
                    + " logical 0 on dev " + held.device() + ", physical 1048576";
            List<String> lines;
            try (KernelLog log = KernelLog.fromNow();
                 ScratchFilesystem stranger = ScratchFilesystem.of("btrfs").mkfsOptions("-L", label).create()) {
                lines = log.lines();
            }
            assertThat(lines).as("the kernel logged the stranger's label when it mounted it")
                    .anyMatch(line -> line.startsWith("BTRFS: device label " + label));

            List<MemberFailure> found = new ArrayList<>();
            for (String line : lines) {
                found.addAll(holder.failuresIn(line));
            }
            assertThat(found).as("failures the held btrfs found in the lines of mounting ANOTHER btrfs").isEmpty();
        }
    }

    /**
     * Promise: "a device added/removed while held" and "btrfs's own kernel error lines are parsed as a source". The
     * kernel's prefix names the filesystem by {@code sb->s_id}, the device it was mounted from, and keeps naming it
     * after {@code btrfs device remove} took that device out (checked here on the real kernel's scrub lines).
     * {@code KernelMessages.isOurs} then finds no member of that name and files it among other filesystems' devices
     * for good: every later error line of the held filesystem (scrub checksum errors on the remaining member) is
     * dropped.
     */
    @Test
    void afterTheMountedDeviceIsRemovedTheFilesystemsOwnLinesAreStillItsOwn() throws Exception {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs", "btrfs-map-logical");
        ScratchFilesystem first = ScratchFilesystem.of("btrfs").build();
        first.create();
        try (TwoDeviceBtrfs both = new TwoDeviceBtrfs(first, first.mountPoint(), first.device())
                .create("single", 320L << 20);
             Holder holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(both.mountPoint()),
                     PluginContext.of(System.getLogger("test")))) {
            Command.run("btrfs", "device", "remove", both.firstDevice().toString(), both.mountPoint().toString());
            String prefixDevice = scrubStartLineDevice(both.mountPoint());
            assertThat(prefixDevice).as("the kernel still names the filesystem by the removed device")
                    .isEqualTo(both.firstDevice().getFileName().toString());
            DeviceNumber remaining = holder.memberDevices().get(0);
            assertThat(holder.memberDevices()).as("members after the removal").hasSize(1);

            String line = "BTRFS warning (device " + prefixDevice + "): scrub: checksum error at logical 298844160"
                    + " on dev " + both.secondDevice() + ", physical 38797312 root 5 inode 257 offset 0 length 4096"
                    + " links 1 (path: f)";
            assertThat(holder.failuresIn(line)).as("a scrub error the kernel writes for the held filesystem's"
                    + " remaining member").singleElement()
                    .satisfies(failure -> assertThat(failure.member()).isEqualTo(remaining));
        }
    }

    /**
     * The device the kernel names in the prefix of a scrub's start line. btrfs rate-limits its messages per level for
     * all its filesystems at once (100 in 5 s): after the mounts of the tests before, a start line may be dropped, so
     * the scrub runs again until one is logged, within a minute.
     */
    private static String scrubStartLineDevice(java.nio.file.Path mountPoint) throws Exception {
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
        try (KernelLog log = KernelLog.fromNow()) {
            do {
                Command.run("btrfs", "scrub", "start", "-B", mountPoint.toString());
                java.util.Optional<String> device = log.lines().stream()
                        .filter(line -> line.contains("scrub: started on devid"))
                        .map(line -> line.substring(line.indexOf("(device ") + 8, line.indexOf(')'))).findFirst();
                if (device.isPresent()) {
                    return device.get();
                }
            } while (java.time.Instant.now().isBefore(deadline));
        }
        throw new AssertionError("no scrub logged a start line in 60 s");
    }
}
