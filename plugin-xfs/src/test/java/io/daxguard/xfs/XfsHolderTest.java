package io.daxguard.xfs;

import static io.daxguard.xfs.XfsFixtures.BLOCK;
import static io.daxguard.xfs.XfsFixtures.assertCoversEveryByte;
import static io.daxguard.xfs.XfsFixtures.attributeExtents;
import static io.daxguard.xfs.XfsFixtures.dataExtents;
import static io.daxguard.xfs.XfsFixtures.firstOwnedBy;
import static io.daxguard.xfs.XfsFixtures.generation;
import static io.daxguard.xfs.XfsFixtures.inode;
import static io.daxguard.xfs.XfsFixtures.writeSynced;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.xfs.XfsFixtures.AttachedScratchXfs;
import io.daxguard.xfs.XfsFixtures.XfsIoMapping;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The XFS holder against a real XFS (rmapbt, reflink) on a loop device: each test makes the files it asks about. */
@Tag("mount")
class XfsHolderTest {
    @RegisterExtension
    static final AttachedScratchXfs xfs = new AttachedScratchXfs("xfs_io", "xfs_db", "fsfreeze", "fallocate", "cp");
    private static final ScratchFilesystem fs = xfs.filesystem();

    @Test
    void namesTheInodeGenerationAndExactFileOffsetOfAByteInAFilesThirdBlock() throws IOException {
        Path file = writeSynced(fs.path("third-block"), 8);
        FiemapExtent extent = dataExtents(file).get(0);
        long failed = extent.physical() + 2 * BLOCK + 100;

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(failed, 1));

        assertThat(owners).containsExactly(new FileOwner(inode(file), generation(file), Fork.DATA,
                2 * BLOCK + 100, failed, 1, false, false));
    }

    @Test
    void reportsBothFilesOfARangeSpanningTheirBoundary() throws IOException {
        Path first = writeSynced(fs.path("span-first"), 4);
        Path second = writeSynced(fs.path("span-second"), 4);
        FiemapExtent firstExtent = dataExtents(first).get(0);
        FiemapExtent secondExtent = dataExtents(second).get(0);
        assertThat(secondExtent.physical()).as("XFS placed the files back to back")
                .isEqualTo(firstExtent.physicalEnd());

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(firstExtent.physicalEnd() - BLOCK, 2 * BLOCK));

        assertThat(owners).containsExactly(
                new FileOwner(inode(first), generation(first), Fork.DATA, 3 * BLOCK,
                        firstExtent.physicalEnd() - BLOCK, BLOCK, false, false),
                new FileOwner(inode(second), generation(second), Fork.DATA, 0, secondExtent.physical(), BLOCK,
                        false, false));
    }

    @Test
    void reportsBothSharersOfAReflinkedExtent() throws IOException {
        Path original = writeSynced(fs.path("reflink-original"), 4);
        Path copy = fs.path("reflink-copy");
        Command.run("cp", "--reflink=always", original.toString(), copy.toString());
        XfsFixtures.sync(copy);
        FiemapExtent extent = dataExtents(original).get(0);

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(extent.physical() + BLOCK, BLOCK));

        assertThat(owners).containsExactlyInAnyOrder(
                new FileOwner(inode(original), generation(original), Fork.DATA, BLOCK, extent.physical() + BLOCK,
                        BLOCK, true, false),
                new FileOwner(inode(copy), generation(copy), Fork.DATA, BLOCK, extent.physical() + BLOCK, BLOCK,
                        true, false));
    }

    @Test
    void marksOnlyTheReflinkedBlocksOfAPartlySharedExtentShared() throws IOException {
        Path original = writeSynced(fs.path("partly-shared"), 4);
        Path clone = fs.path("partly-shared-clone");
        Command.run("xfs_io", "-f", "-c", "reflink " + original + " " + 2 * BLOCK + " 0 " + BLOCK, clone.toString());
        XfsFixtures.sync(clone);
        FiemapExtent extent = dataExtents(original).get(0);
        long originalInode = inode(original);

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(extent.physical(), 4 * BLOCK));

        assertThat(owners).filteredOn(owner -> owner instanceof FileOwner file && file.inode() == originalInode)
                .extracting(owner -> ((FileOwner) owner).shared())
                .containsExactly(false, true, false);
    }

    /** The free-space btree root of AG 0, as the AGF names it (xfs_db): per-AG metadata, not a header. */
    @Test
    void namesAFreeSpaceBtreeBlockPerAgMetadata() throws IOException {
        long bnoRoot = onDisk("agf 0", "bnoroot");

        assertThat(xfs.holder().notifyFailure(FailureRange.of(bnoRoot * BLOCK, 1))).singleElement()
                .isInstanceOfSatisfying(MetadataOwner.class,
                        owner -> assertThat(owner.kind()).isEqualTo("xfs.ag-metadata"));
    }

    /** The first sector of AG 1 (its superblock copy, then AGF, AGI, AGFL): the AG headers are static metadata. */
    @Test
    void namesTheHeadersOfTheSecondAllocationGroupStaticMetadata() throws IOException {
        long agBlocks = onDisk("sb 0", "agblocks");

        assertThat(xfs.holder().notifyFailure(FailureRange.of(agBlocks * BLOCK, 512))).singleElement()
                .isEqualTo(new MetadataOwner("xfs.static", "static fs metadata (superblock and AG headers: AGF, AGI,"
                        + " AGFL)", repairHint(), agBlocks * BLOCK, 512));
    }

    @Test
    void namesTheInodeBtree() throws IOException {
        XfsIoMapping inobt = firstOwnedBy(fs.mountPoint(), "special_88:4");

        assertThat(xfs.holder().notifyFailure(FailureRange.of(inobt.start(), inobt.end() - inobt.start())))
                .singleElement()
                .isEqualTo(new MetadataOwner("xfs.inobt", "inode btree", repairHint(), inobt.start(),
                        inobt.end() - inobt.start()));
    }

    @Test
    void namesTheLogAndHowToRepairIt() throws IOException {
        XfsIoMapping log = firstOwnedBy(fs.mountPoint(), "special_88:2");
        long middle = (log.start() + log.end()) / 2;

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(middle, BLOCK));

        assertThat(owners).singleElement().isInstanceOfSatisfying(MetadataOwner.class, owner -> {
            assertThat(owner.kind()).isEqualTo("xfs.log");
            assertThat(owner.repairHint()).contains("xfs_repair -L " + fs.device());
        });
    }

    @Test
    void namesCopyOnWriteStagingExtents() throws IOException {
        XfsFixtures.stageCopyOnWrite(writeSynced(fs.path("cow-original"), 256), fs.path("cow-copy"));
        XfsIoMapping staging = firstOwnedBy(fs.mountPoint(), "special_88:7");

        assertThat(xfs.holder().notifyFailure(FailureRange.of(staging.start(), 1))).singleElement()
                .isInstanceOfSatisfying(MetadataOwner.class, owner -> assertThat(owner.kind()).isEqualTo("xfs.cow"));
    }

    @Test
    void reportsFreeSpaceTrimmedToTheQuery() throws IOException {
        XfsIoMapping free = firstOwnedBy(fs.mountPoint(), "special_0:1");

        assertThat(xfs.holder().notifyFailure(FailureRange.of(free.start() + 512, 512)))
                .containsExactly(new FreeSpaceOwner(free.start() + 512, 512));
    }

    @Test
    void coversEveryByteOfAOneByteRange() throws IOException {
        Path file = writeSynced(fs.path("one-byte"), 1);
        long failed = dataExtents(file).get(0).physical() + 7;

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(failed, 1));

        assertCoversEveryByte(owners, failed, failed + 1);
    }

    @Test
    void coversEveryByteOfAMultiMegabyteRangeWithMetadataFilesSharersAndFreeSpace() throws IOException {
        Path original = writeSynced(fs.path("multi-megabyte"), 64);
        Command.run("cp", "--reflink=always", original.toString(), fs.path("multi-megabyte-copy").toString());
        long from = 0;
        long to = dataExtents(original).get(0).physicalEnd() + (8L << 20);

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(from, to - from));

        assertCoversEveryByte(owners, from, to);
    }

    @Test
    void reportsTheAttributeForkOfALargeExtendedAttribute() throws IOException {
        Path file = writeSynced(fs.path("big-xattr"), 1);
        UserDefinedFileAttributeView attributes = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        attributes.write("big", ByteBuffer.wrap(new byte[3 * BLOCK]));
        XfsFixtures.sync(file);
        FiemapExtent remoteValue = attributeExtents(file).get(0);

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(remoteValue.physical(), 1));

        assertThat(owners).containsExactly(new FileOwner(inode(file), generation(file), Fork.ATTRIBUTES,
                remoteValue.logical(), remoteValue.physical(), 1, false, false));
    }

    @Test
    void reportsUnwrittenPreallocationAsUnwritten() throws IOException {
        Path file = fs.path("preallocated");
        Command.run("fallocate", "--length", String.valueOf(16 * BLOCK), file.toString());
        FiemapExtent extent = dataExtents(file).get(0);

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(extent.physical() + 5 * BLOCK, BLOCK));

        assertThat(owners).containsExactly(new FileOwner(inode(file), generation(file), Fork.DATA, 5 * BLOCK,
                extent.physical() + 5 * BLOCK, BLOCK, false, true));
    }

    @Test
    void reportsTheExtentMapBlocksOfAFragmentedFile() throws IOException {
        Path file = XfsFixtures.writeEveryOtherBlock(fs.path("fragmented"), 200);
        long inode = inode(file);
        FsmapRecord extentMap = XfsFixtures.firstRecord(fs, record -> record.isExtentMap() && record.owner() == inode);

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(extentMap.physical(), 1));

        assertThat(owners).containsExactly(new FileOwner(inode, generation(file), Fork.EXTENT_MAP, 0,
                extentMap.physical(), 1, false, false));
    }

    @Test
    void reportsBytesBeyondTheEndOfTheFilesystemAsUnknown() throws IOException {
        long size = xfs.holder().info().size();

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(size - BLOCK, 2 * BLOCK));

        assertThat(owners).last().isInstanceOfSatisfying(UnknownOwner.class, owner -> {
            assertThat(owner.physicalOffset()).isEqualTo(size);
            assertThat(owner.length()).isEqualTo(BLOCK);
            assertThat(owner.reason()).contains("beyond the end of the filesystem");
        });
    }

    @Test
    void answersQueriesFromManyThreadsAtOnceAsItAnswersOne() throws Exception {
        Path original = writeSynced(fs.path("concurrent"), 16);
        Command.run("cp", "--reflink=always", original.toString(), fs.path("concurrent-copy").toString());
        FiemapExtent extent = dataExtents(original).get(0);
        FailureRange range = FailureRange.of(extent.physical() - BLOCK, extent.length() + 2 * BLOCK);
        List<Owner> expected = xfs.holder().notifyFailure(range);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Owner>>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                answers.add(threads.submit(() -> xfs.holder().notifyFailure(range)));
            }

            for (Future<List<Owner>> answer : answers) {
                assertThat(answer.get()).isEqualTo(expected);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * A field of an on-disk structure, read with {@code xfs_db}. The filesystem is frozen first (and thawed): that
     * writes the log back in place, so the structure on the disk is the one the mounted filesystem uses now.
     */
    private static long onDisk(String structure, String field) throws IOException {
        Command.run("fsfreeze", "--freeze", fs.mountPoint().toString());
        try {
            return Long.parseLong(Command.run("xfs_db", "-r", "-c", structure, "-c", "print " + field,
                    fs.device().toString()).strip().replaceFirst("^" + field + " = ", ""));
        } finally {
            Command.run("fsfreeze", "--unfreeze", fs.mountPoint().toString());
        }
    }

    private static String repairHint() {
        return "Unmount " + fs.mountPoint() + " and run xfs_repair " + fs.device() + " (xfs_repair -n " + fs.device()
                + " first shows what it would change).";
    }
}
