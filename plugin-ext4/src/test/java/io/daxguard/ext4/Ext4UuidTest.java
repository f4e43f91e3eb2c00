package io.daxguard.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.PluginContext;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.DeviceDenied;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The UUID of an ext4 is the one its superblock holds now, as {@code blkid -p} reads it from the device, also when
 * the device cannot be opened and when the UUID was changed while mounted. The filesystem is made as an image
 * builder makes a root filesystem, with a nil UUID that each test replaces while it is mounted (tune2fs does that
 * online for a filesystem with {@code metadata_csum_seed}), the case where the kernel's copy from mount time
 * ({@code FS_IOC_GETFSUUID}) still says zeros.
 */
@Tag("mount")
class Ext4UuidTest {
    private static final String NIL = "00000000-0000-0000-0000-000000000000";

    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4()
            .mkfsOptions("-U", "clear", "-O", "metadata_csum_seed").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("tune2fs", "blkid");
    }

    @Test
    void aFilesystemWhoseDeviceCannotBeOpenedHasTheUuidBlkidReads() throws Exception {
        String uuid = givenANewUuidWhileMounted();

        try (Ext4Holder holder = DeviceDenied.call(FILESYSTEM.deviceNumber(), this::attach)) {
            assertThat(holder.info().reverseMap()).as("without the device the index comes from FIEMAP")
                    .isEqualTo("index:fiemap");
            assertThat(holder.info().uuid()).isEqualTo(uuid);
        }
    }

    @Test
    void aUuidChangedWhileMountedIsTheNewOne() throws Exception {
        String uuid = givenANewUuidWhileMounted();

        try (Ext4Holder holder = attach()) {
            assertThat(holder.info().uuid()).isEqualTo(uuid);
        }
    }

    /** A random UUID set with tune2fs on the mounted filesystem; what {@code blkid -p} then reads. */
    private static String givenANewUuidWhileMounted() throws Exception {
        Command.run("tune2fs", "-U", "random", FILESYSTEM.device().toString());
        String blkid = Command.run("blkid", "-p", "-s", "UUID", "-o", "value", FILESYSTEM.device().toString()).strip();
        assertThat(blkid).as("blkid -p after tune2fs -U random").matches("[0-9a-f-]{36}").isNotEqualTo(NIL);
        return blkid;
    }

    private Ext4Holder attach() throws Exception {
        return (Ext4Holder) new Ext4Plugin().attach(Ext4Files.mountOf(FILESYSTEM),
                PluginContext.of(System.getLogger("test")));
    }
}
