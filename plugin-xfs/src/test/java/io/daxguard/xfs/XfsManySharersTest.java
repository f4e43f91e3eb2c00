package io.daxguard.xfs;

import static io.daxguard.xfs.XfsFixtures.BLOCK;
import static io.daxguard.xfs.XfsFixtures.assertCoversEveryByte;
import static io.daxguard.xfs.XfsFixtures.dataExtents;
import static io.daxguard.xfs.XfsFixtures.writeSynced;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.xfs.XfsBulkstat.InodeStat;
import io.daxguard.xfs.XfsFixtures.AttachedScratchXfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The linear sharing split on a real reflinked XFS: one 64-block file cloned, in staggered and overlapping pieces,
 * into many files (and into itself), so GETFSMAP answers with hundreds of sharers of the same blocks that start
 * and end at different places. The holder's answer is, owner for owner, what the old quadratic split
 * ({@link QuadraticFsmapOwners}) makes of the same records.
 */
@Tag("mount")
class XfsManySharersTest {
    private static final int SOURCE_BLOCKS = 64;
    private static final int CLONES = 24;

    @RegisterExtension
    static final AttachedScratchXfs xfs = new AttachedScratchXfs("xfs_io", "cp");
    private static final ScratchFilesystem fs = xfs.filesystem();
    private static FiemapExtent sourceExtent;

    @BeforeAll
    static void cloneOneFileIntoManyOverlappingPieces() throws IOException {
        Path source = writeSynced(fs.path("source"), SOURCE_BLOCKS);
        sourceExtent = dataExtents(source).get(0);
        assertThat(sourceExtent.length()).as("the source is one extent").isEqualTo((long) SOURCE_BLOCKS * BLOCK);
        Command.run("cp", "--reflink=always", source.toString(), fs.path("whole-copy").toString());
        for (int clone = 0; clone < CLONES; clone++) {
            // Each clone takes eight pieces of the source whose starts and lengths differ from clone to clone, so
            // the sharers of a block begin and end at many places.
            List<String> command = new ArrayList<>(List.of("xfs_io", "-f"));
            for (int piece = 0; piece < 8; piece++) {
                long sourceBlock = (clone * 5L + piece * 7L) % (SOURCE_BLOCKS - 9);
                long blocks = 1 + (clone + piece) % 9;
                command.addAll(List.of("-c", "reflink " + source + " " + sourceBlock * BLOCK + " "
                        + piece * 16L * BLOCK + " " + blocks * BLOCK));
            }
            command.addAll(List.of("-c", "fsync", fs.path("clone-" + clone).toString()));
            Command.run(command.toArray(String[]::new));
        }
        // The source shares blocks with itself too: its first 16 blocks cloned past its end.
        Command.run("xfs_io", "-c", "reflink " + source + " 0 " + (long) SOURCE_BLOCKS * BLOCK + " " + 16L * BLOCK,
                "-c", "fsync", source.toString());
    }

    @Test
    void answersTheReflinkedExtentWithTheOwnersTheQuadraticSplitGave() throws IOException {
        long from = sourceExtent.physical();
        long to = sourceExtent.physical() + sourceExtent.length();
        List<FsmapRecord> records = records(from, to);
        Map<Long, Optional<InodeStat>> inodes = bulkstat(records);
        assertThat(records.stream().filter(FsmapRecord::isShared).count()).as("shared records in the answer")
                .isGreaterThan(CLONES * 8L);

        List<Owner> holders = xfs.holder().notifyFailure(FailureRange.of(from, to - from));
        List<Owner> quadratic = new QuadraticFsmapOwners(from, to, xfs.holder().info().size(),
                XfsFixtures.mountOf(fs)).owners(records, inodes);

        assertThat(holders).isEqualTo(quadratic);
        assertCoversEveryByte(holders, from, to);
        assertThat(holders).filteredOn(owner -> owner instanceof FileOwner file && !file.shared())
                .as("every block of the source is shared with the whole copy").isEmpty();
    }

    @Test
    void answersAnUnalignedPartOfTheExtentWithTheOwnersTheQuadraticSplitGave() throws IOException {
        long from = sourceExtent.physical() + 3L * BLOCK + 700;
        long to = sourceExtent.physical() + 41L * BLOCK + 5;
        List<FsmapRecord> records = records(from, to);

        List<Owner> holders = xfs.holder().notifyFailure(FailureRange.of(from, to - from));
        List<Owner> quadratic = new QuadraticFsmapOwners(from, to, xfs.holder().info().size(),
                XfsFixtures.mountOf(fs)).owners(records, bulkstat(records));

        assertThat(holders).isEqualTo(quadratic);
    }

    /** GETFSMAP's records of the data device over the range, untrimmed, as the holder reads them. */
    private static List<FsmapRecord> records(long from, long to) throws IOException {
        List<FsmapRecord> records = new ArrayList<>();
        int device = fs.deviceNumber().encoded();
        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            Getfsmap.query(mountPoint, device, from, to, Getfsmap.DEFAULT_BATCH, record -> {
                if (record.device() == device) {
                    records.add(record);
                }
                return true;
            });
        }
        return records;
    }

    private static Map<Long, Optional<InodeStat>> bulkstat(List<FsmapRecord> records) throws IOException {
        Map<Long, Optional<InodeStat>> inodes = new HashMap<>();
        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            for (FsmapRecord record : records) {
                if (!record.isSpecialOwner() && !inodes.containsKey(record.owner())) {
                    inodes.put(record.owner(), XfsBulkstat.of(mountPoint, record.owner()));
                }
            }
        }
        return inodes;
    }
}
