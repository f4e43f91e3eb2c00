package io.daxguard.xfs;

import static io.daxguard.xfs.XfsFixtures.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** XFS made without the reverse-map btree: owners from the index, free space and fixed metadata from XFS itself. */
@Tag("mount")
class XfsIndexedHolderTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=0").build();

    private static Holder holder;

    @BeforeAll
    static void attachAndAwaitTheIndex() throws Exception {
        Privileges.requireRootLoopAnd("xfs_io", "xfs_db");
        XfsFixtures.writeSynced(XFS.path("early.bin"), 16);
        holder = new XfsPlugin().attach(XfsFixtures.mountOf(XFS), PluginContext.of(System.getLogger("test")));
        assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).as("index built").isTrue();
    }

    @AfterAll
    static void closeHolder() throws Exception {
        if (holder != null) {
            holder.close();
        }
    }

    private static List<Owner> owners(long offset, long length) throws Exception {
        List<Owner> owners = holder.notifyFailure(FailureRange.of(offset, length));
        XfsFixtures.assertCoversEveryByte(owners, offset, offset + length);
        return owners;
    }

    @Test
    void aBlockOfAFileIndexedAtAttachNamesItsInodeGenerationAndOffset() throws Exception {
        Path file = XFS.path("early.bin");
        FiemapExtent extent = XfsFixtures.dataExtents(file).get(0);

        List<Owner> owners = owners(extent.physical() + 2 * BLOCK, BLOCK);

        assertThat(owners).containsExactly(new FileOwner(XfsFixtures.inode(file), XfsFixtures.generation(file),
                Fork.DATA, extent.logical() + 2 * BLOCK, extent.physical() + 2 * BLOCK, BLOCK, false, false));
    }

    @Test
    void remembersConfirmedOwnersWhereNoFileCanShareBlocks() {
        ReverseMapStatus status = holder.reverseMapStatus().orElseThrow();

        assertThat(status.state()).isEqualTo(ReverseMapStatus.State.READY);
        assertThat(status.message()).isNotEmpty().doesNotContain("confirmed live");
    }

    @Test
    void aFileWrittenAfterTheIndexWasBuiltIsFound() throws Exception {
        Path file = XfsFixtures.writeSynced(XFS.path("late.bin"), 4);
        FiemapExtent extent = XfsFixtures.dataExtents(file).get(0);
        long inode = XfsFixtures.inode(file);

        List<Owner> owners = owners(extent.physical() + BLOCK, BLOCK);

        assertThat(owners).singleElement().isInstanceOfSatisfying(FileOwner.class, owner -> {
            assertThat(owner.inode()).isEqualTo(inode);
            assertThat(owner.fileOffset()).isEqualTo(extent.logical() + BLOCK);
        });
    }

    @Test
    void theInternalLogIsNamedAsMetadata() throws Exception {
        long logStart = logStartByte();

        List<Owner> owners = owners(logStart + BLOCK, BLOCK);

        assertThat(owners).singleElement().isInstanceOfSatisfying(MetadataOwner.class,
                owner -> assertThat(owner.kind()).isEqualTo("xfs.log"));
    }

    @Test
    void theHeadersOfTheSecondAgAreNamedAsMetadata() throws Exception {
        long agBytes = Long.parseLong(xfsDb("sb 0", "print agblocks").replaceAll("\\D", "")) * BLOCK;

        List<Owner> owners = owners(agBytes, 512);

        assertThat(owners).singleElement().isInstanceOfSatisfying(MetadataOwner.class,
                owner -> assertThat(owner.kind()).isEqualTo("xfs.static"));
    }

    @Test
    void freeSpaceIsReportedAsFree() throws Exception {
        XfsFixtures.XfsIoMapping free = XfsFixtures.firstOwnedBy(XFS.mountPoint(), "special_0:1");

        List<Owner> owners = owners(free.start(), BLOCK);

        assertThat(owners).containsExactly(new FreeSpaceOwner(free.start(), BLOCK));
    }

    @Test
    void writtenExtentsIncludeAFileAndSkipFreeSpace() throws Exception {
        FiemapExtent extent = XfsFixtures.dataExtents(XFS.path("early.bin")).get(0);
        XfsFixtures.XfsIoMapping free = XfsFixtures.firstOwnedBy(XFS.mountPoint(), "special_0:1");
        List<long[]> visited = new ArrayList<>();

        holder.forEachWrittenExtent(0, holder.info().size(), (offset, length) -> visited.add(new long[] {offset,
                offset + length}));

        assertThat(visited).anySatisfy(run -> assertThat(run[0] <= extent.physical()
                && extent.physicalEnd() <= run[1]).isTrue());
        assertThat(visited).noneSatisfy(run -> assertThat(run[0] < free.end() && free.start() < run[1]).isTrue());
    }

    @Test
    void reportsTheIndexReadyWithItsFiles() {
        assertThat(holder.reverseMapStatus()).hasValueSatisfying(status -> {
            assertThat(status.state()).isIn(ReverseMapStatus.State.READY, ReverseMapStatus.State.REBUILDING);
            assertThat(status.files()).isPositive();
        });
    }

    /** The internal log's first byte, from xfs_db (logstart is a filesystem block number: agno, agbno). */
    private static long logStartByte() throws Exception {
        String logStart = xfsDb("sb 0", "print logstart").replaceAll("\\D", "");
        String converted = xfsDb("convert fsblock " + logStart + " byte");
        return Long.parseLong(converted.substring(converted.indexOf('(') + 1, converted.indexOf(')')));
    }

    private static String xfsDb(String... commands) throws Exception {
        List<String> command = new ArrayList<>(List.of("xfs_db", "-r"));
        for (String c : commands) {
            command.add("-c");
            command.add(c);
        }
        command.add(XFS.device().toString());
        return Command.run(command.toArray(String[]::new)).strip();
    }
}
