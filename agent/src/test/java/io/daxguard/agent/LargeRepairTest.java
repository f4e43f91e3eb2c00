package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A repair of more than 2 GiB in one range (past what a Java array holds): streamed in bounded chunks, done and
 * audited.
 */
@Tag("mount")
class LargeRepairTest {
    private static final long SIZE = 2L * 1024 * 1024 * 1024 + 64 * 1024 * 1024;

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().sizeMiB(3 * 1024).build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after XFS: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.started();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("xfs_io");
    }

    @Test
    void aRewriteOfMoreThanTwoGibibytesIsStreamedAndAudited() throws Exception {
        Path file = XFS.path("large.bin");
        Command.run("xfs_io", "-f", "-c", "pwrite -q -S 0x5a -b 8m 0 " + SIZE, "-c", "fsync", file.toString());
        for (FiemapExtent extent : AgentFixture.extents(file)) {
            AGENT.remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {
                XFS.device().getFileName().toString(), extent.physical() / 512, extent.length() / 512, 5},
                    new String[] {"java.lang.String", "long", "long", "int"});
        }
        ObjectName mbean = ObjectNames.damagedFile(XFS.mountPoint().toString(), "/large.bin");
        FileKey key = new FileKey((String) AGENT.remote().getAttribute(mbean, "FilesystemUuid"), "",
                (Long) AGENT.remote().getAttribute(mbean, "Inode"), (Long) AGENT.remote().getAttribute(mbean, "Generation"));

        String result = (String) AGENT.remote().invoke(mbean, "forceRewriteZeros", new Object[] {"/large.bin"},
                new String[] {"java.lang.String"});

        assertThat(result).contains("closed as REWRITTEN").doesNotContain("still damaged");
        assertThat(lastByte(file)).isZero();
        assertThat(AGENT.agent().ledger().history(key)).extracting(AuditEntry::action).contains("forceRewriteZeros");
    }

    private static byte lastByte(Path file) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, SIZE - 1);
            return one.get(0);
        }
    }
}
