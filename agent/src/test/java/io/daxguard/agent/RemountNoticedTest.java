package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.spi.testkit.Command;
import io.daxguard.spi.testkit.ScratchFilesystem;
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
    /** How long an operator may fairly wait for {@code status} to show a remount without asking for it. */
    private static final long NOTICED_WITHIN_SECONDS = 60;

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
                    Command.run("umount", elsewhere.toString());
                }
            } finally {
                Command.run("mount", "-t", "ext4", ext4.device().toString(), before);
            }
        } finally {
            Files.deleteIfExists(elsewhere);
        }
    }
}
