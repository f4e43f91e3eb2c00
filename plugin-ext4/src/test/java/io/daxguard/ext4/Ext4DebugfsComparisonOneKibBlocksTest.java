package io.daxguard.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.testkit.ScratchFilesystem;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The comparison with 1 KiB blocks: block 0 is the boot block, the superblock is block 1, groups are small. */
class Ext4DebugfsComparisonOneKibBlocksTest extends Ext4DebugfsComparisonContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().sizeMiB(256).mkfsOptions("-b", "1024").build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }

    @Test
    void theBootBlockBeforeTheSuperblockIsNamedAsMetadataThatHoldsNothing() throws Exception {
        try (Ext4Holder holder = (Ext4Holder) new Ext4Plugin().attach(Ext4Files.mountOf(FILESYSTEM),
                PluginContext.of(System.getLogger("test")))) {
            List<Owner> owners = holder.notifyFailure(FailureRange.of(0, 1024));

            assertThat(owners).singleElement().isInstanceOfSatisfying(MetadataOwner.class, boot -> {
                assertThat(boot.kind()).isEqualTo("ext4.boot_block");
                assertThat(boot.repairHint()).contains("ext4 does not read these bytes");
            });
        }
    }
}
