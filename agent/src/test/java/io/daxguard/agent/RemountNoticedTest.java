package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.topology.Topology;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Found by trying the agent as an adversary (branch i12-attack): after a umount and a mount elsewhere (or a mkfs
 * and a mount) nothing makes the agent look, unless a failure arrives on that device, an operator calls
 * {@code refreshTopology}, or the identity check comes round (every 10 minutes). Until then {@code status}, the
 * Filesystem MBean and the DamagedFile MBeans name a mount point that holds nothing, the new mount point has no
 * MBeans, and the agent keeps the unmounted block device open (an ext4 holder's descriptor: {@code losetup -d}
 * of the loop device cannot free it, so a disk cannot be swapped). And a metadata repair hint keeps naming the
 * mount point the damage was detected under.
 */
@Tag("mount")
class RemountNoticedTest {
    /** A bound on the wait, not its usual length: the mount watcher refreshes within moments of the mount. */
    private static final long NOTICED_WITHIN_SECONDS = 10;

    @Test
    void aFilesystemMountedElsewhereGetsItsDamagedFileMBeanThereWithoutBeingAskedToLook() throws Exception {
        Path elsewhere = Files.createTempDirectory("daxguard-remount-elsewhere-");
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create(); AgentFixture fixture = new AgentFixture()) {
            AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
            long sector = (AgentFixture.extents(xfs.path("victim.bin")).get(0).physical() + 8192) / 512;
            MBeanServerConnection remote = fixture.remote();
            remote.invoke(ObjectNames.agent(), "reportFailure",
                    new Object[] {xfs.device().getFileName().toString(), sector, 1L, 5},
                    new String[] {"java.lang.String", "long", "long", "int"});
            ObjectName wanted = ObjectNames.damagedFile(elsewhere.toString(), "/victim.bin");
            CompletableFuture<ObjectName> registered = new CompletableFuture<>();
            NotificationListener listener = (notification, handback) -> {
                if (notification instanceof MBeanServerNotification mbean && mbean.getMBeanName().equals(wanted)
                        && MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(mbean.getType())) {
                    registered.complete(mbean.getMBeanName());
                }
            };
            remote.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, null, null);

            Command.run("umount", xfs.mountPoint().toString());
            try {
                Command.run("mount", "-t", "xfs", xfs.device().toString(), elsewhere.toString());
                try {
                    if (remote.isRegistered(wanted)) {
                        registered.complete(wanted);
                    }
                    assertThat(registered.get(NOTICED_WITHIN_SECONDS, TimeUnit.SECONDS)).isEqualTo(wanted);
                } finally {
                    awaitIndexed(remote, elsewhere.toString());
                    Command.run("umount", elsewhere.toString());
                }
            } finally {
                Command.run("mount", "-t", "xfs", xfs.device().toString(), xfs.mountPoint().toString());
            }
        } finally {
            Files.deleteIfExists(elsewhere);
        }
    }

    @Test
    void anExt4FilesystemsBlockDeviceIsOpenOnlyWhileReadSoAnUnmountedLoopDeviceCanBeFreedAtOnce() throws Exception {
        SourcesFixture.requirePlugin("ext4");
        try (ScratchFilesystem ext4 = ScratchFilesystem.ext4().create(); AgentFixture fixture = new AgentFixture()) {
            Path device = ext4.device().toRealPath();
            io.daxguard.spi.DeviceNumber number = ext4.deviceNumber();
            awaitIndexed(fixture.remote(), ext4.mountPoint().toString());
            // The holder reads the superblock and inode tables through the device, and closes it after each read:
            // held, indexed and idle, it keeps none (an unmount is then never followed by a busy device).
            assertThat(descriptorsOn(device)).as("descriptors on the held ext4's device between reads").isZero();
            CompletableFuture<Void> detached = new CompletableFuture<>();
            fixture.agent().events().add(new DamageListener() {
                @Override
                public void topologyChanged(Topology topology) {
                    if (topology.mounts().stream().noneMatch(mount -> mount.device().equals(number))) {
                        detached.complete(null);
                    }
                }
            });

            awaitIndexed(fixture.remote(), ext4.mountPoint().toString());
            Command.run("umount", ext4.mountPoint().toString());
            try {
                detached.get(NOTICED_WITHIN_SECONDS, TimeUnit.SECONDS);

                assertThat(descriptorsOn(device)).isZero();
            } finally {
                Command.run("mount", "-t", "ext4", device.toString(), ext4.mountPoint().toString());
            }
        }
    }

    /** How many of this process's descriptors are open on {@code device}. */
    private static long descriptorsOn(Path device) throws java.io.IOException {
        try (var descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(device);
                } catch (java.io.IOException closedMeanwhile) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void theRepairHintOfExt4MetadataNamesTheMountPointWhereTheFilesystemIsNow() throws Exception {
        SourcesFixture.requirePlugin("ext4");
        Path elsewhere = Files.createTempDirectory("daxguard-remount-elsewhere-");
        try (ScratchFilesystem ext4 = ScratchFilesystem.ext4().create(); AgentFixture fixture = new AgentFixture()) {
            MBeanServerConnection remote = fixture.remote();
            String before = ext4.mountPoint().toString();
            // Sector 2: the primary superblock, at byte 1024 whatever the block size.
            remote.invoke(ObjectNames.agent(), "reportFailure",
                    new Object[] {ext4.device().getFileName().toString(), 2L, 1L, 5},
                    new String[] {"java.lang.String", "long", "long", "int"});
            awaitIndexed(remote, before);
            Command.run("umount", before);
            try {
                Command.run("mount", "-t", "ext4", ext4.device().toString(), elsewhere.toString());
                try {
                    remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
                    fixture.agent().router().afterQueued(() -> null).get();

                    String status = (String) remote.invoke(ObjectNames.agent(), "status", new Object[0],
                            new String[0]);

                    assertThat(status).contains("Unmount " + elsewhere + " ").doesNotContain("Unmount " + before + " ");
                } finally {
                    // The index catching up after the remount reads directories: unmounting meanwhile is EBUSY.
                    awaitIndexSettled(remote, elsewhere.toString());
                    Command.run("umount", elsewhere.toString());
                }
            } finally {
                Command.run("mount", "-t", "ext4", ext4.device().toString(), before);
            }
        } finally {
            Files.deleteIfExists(elsewhere);
        }
    }

    /**
     * An ext4 is indexed after it is attached, and the index build holds descriptors in it: a umount then says
     * "target is busy" (the test waits for the build as an administrator would see it finish in the status).
     */
    /**
     * Until the index of {@code mountPoint} is built and no build runs (a loaded index is ready at once while its
     * catch-up build still walks the tree); polled, as the MBean offers no wait for a build in progress.
     */
    private static void awaitIndexSettled(MBeanServerConnection remote, String mountPoint) throws Exception {
        awaitIndexed(remote, mountPoint);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        String state;
        while (!(state = (String) remote.getAttribute(ObjectNames.filesystem(mountPoint), "ReverseMapStatus"))
                .startsWith("ready") && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(state).as("the index of " + mountPoint + " settled").startsWith("ready");
    }

    private static void awaitIndexed(MBeanServerConnection remote, String mountPoint) throws Exception {
        assertThat((Boolean) remote.invoke(ObjectNames.filesystem(mountPoint), "awaitReverseMap", new Object[] {60},
                new String[] {"int"})).as("the index of " + mountPoint + " was built").isTrue();
    }
}
