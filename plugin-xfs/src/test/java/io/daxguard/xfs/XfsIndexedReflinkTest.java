package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.Holder;
import io.daxguard.spi.PluginContext;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * XFS without rmapbt but with reflink: deduplication remaps blocks without a fanotify event, so the index
 * confirms every answer live instead of remembering confirmations until the filesystem changes.
 */
@Tag("mount")
class XfsIndexedReflinkTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=1").build();

    @Test
    void confirmsEveryAnswerLiveWhereFilesCanShareBlocks() throws Exception {
        Privileges.requireRootLoopAnd("xfs_io");
        XfsFixtures.writeSynced(XFS.path("shared-later.bin"), 4);
        try (Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(XFS),
                PluginContext.of(System.getLogger("test")))) {
            assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).as("index built").isTrue();

            assertThat(holder.reverseMapStatus().orElseThrow().message()).contains("confirmed live");
        }
    }
}
