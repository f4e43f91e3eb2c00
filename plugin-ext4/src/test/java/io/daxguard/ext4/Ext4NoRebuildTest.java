package io.daxguard.ext4;

import static io.daxguard.ext4.Ext4Files.BLOCK;
import static io.daxguard.ext4.Ext4Files.extentsOf;
import static io.daxguard.ext4.Ext4Files.fileOwnerInodes;
import static io.daxguard.ext4.Ext4Files.inodeOf;
import static io.daxguard.ext4.Ext4Files.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Questions about metadata, directory and free blocks of an unchanged ext4 never rebuild the index (issue 14: every
 * inode-table question used to rebuild it), while a change since the build still refreshes it, once (incrementally:
 * only the changed files are read), and is then found.
 */
@Tag("mount")
class Ext4NoRebuildTest {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().sizeMiB(128)
            .mkfsOptions("-b", "4096", "-O", "inline_data").build();
    private static final int QUESTIONS = 1_000;
    private static int directories;
    private Ext4Holder holder;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("debugfs", "dumpe2fs", "fsfreeze");
    }

    @AfterEach
    void closeHolder() throws IOException {
        if (holder != null) {
            holder.close();
        }
    }

    @Test
    void aThousandQuestionsOfMetadataDirectoryAndFreeBlocksOfAnUnchangedExt4RebuildNothing() throws Exception {
        Path tree = populatedTree();
        List<Long> blocks = new ArrayList<>(metadataBlocks());
        List<Long> directoryBlocks = directoryBlocks(tree);
        assertThat(directoryBlocks).as("precondition: directories with blocks").isNotEmpty();
        blocks.addAll(directoryBlocks);
        holder = Ext4Files.attached(FILESYSTEM);
        assertThat(kindsOf(blocks)).as("precondition: the blocks are the metadata named")
                .contains("ext4.inode_table", "ext4.block_bitmap", "ext4.inode_bitmap", "ext4.group_descriptors",
                        "ext4.journal");

        for (int question = 0; question < QUESTIONS; question++) {
            holder.notifyFailure(FailureRange.of(blocks.get(question % blocks.size()) * BLOCK, BLOCK));
        }

        assertThat(rebuilds()).containsEntry("first", 1L).containsEntry("changed", 0L).containsEntry("rejected", 0L)
                .containsEntry("unexplained", 0L).containsEntry("inline", 0L);
        assertThat(holder.indexProgress().builds()).isEqualTo(1);
    }

    @Test
    void aWriteToAFileRefreshesOnceIncrementallyAndTheNewBlockIsFoundThenMetadataRebuildsNothingAgain() throws Exception {
        Path file = write(freshDirectory().resolve("growing"), 0, 4 * BLOCK, 1);
        List<Long> metadata = metadataBlocks();
        holder = Ext4Files.attached(FILESYSTEM);
        long before = extentsOf(file).stream().mapToLong(FiemapExtent::physicalEnd).max().orElseThrow();

        write(file, 1L << 20, 4 * BLOCK, 2);
        FiemapExtent added = extentsOf(file).stream().filter(extent -> extent.logical() >= 1L << 20).findFirst()
                .orElseThrow();
        assertThat(added.physical()).as("precondition: new blocks").isNotEqualTo(before);
        List<Owner> owners = holder.notifyFailure(FailureRange.of(added.physical(), BLOCK));
        for (int question = 0; question < 100; question++) {
            holder.notifyFailure(FailureRange.of(metadata.get(question % metadata.size()) * BLOCK, BLOCK));
        }

        assertThat(fileOwnerInodes(owners)).containsExactly(inodeOf(file));
        assertThat(rebuilds()).containsEntry("first", 1L).containsEntry("incremental", 1L)
                .containsEntry("changed", 0L).containsEntry("rejected", 0L);
    }

    @Test
    void aMountElsewhereChangesNoBlockAndRebuildsNothing() throws Exception {
        List<Long> metadata = metadataBlocks();
        holder = Ext4Files.attached(FILESYSTEM);
        Path elsewhere = Files.createTempDirectory("daxguard-elsewhere-");
        try {
            Command.run("mount", "-t", "tmpfs", "none", elsewhere.toString());
            try {
                for (long block : metadata) {
                    holder.notifyFailure(FailureRange.of(block * BLOCK, BLOCK));
                }
            } finally {
                Command.run("umount", elsewhere.toString());
            }
        } finally {
            Files.delete(elsewhere);
        }

        assertThat(rebuilds()).containsEntry("changed", 0L).containsEntry("inline", 0L);
        assertThat(holder.indexProgress().builds()).isEqualTo(1);
    }

    @Test
    void aFileCreatedAfterTheBuildIsFound() throws Exception {
        freshDirectory();
        holder = Ext4Files.attached(FILESYSTEM);

        Path file = write(freshDirectory().resolve("late"), 0, 8 * BLOCK, 3);
        List<Owner> owners = holder.notifyFailure(FailureRange.of(extentsOf(file).get(0).physical() + BLOCK, BLOCK));

        assertThat(fileOwnerInodes(owners)).containsExactly(inodeOf(file));
        assertThat(holder.indexProgress().builds()).isEqualTo(2);
    }

    private Map<String, Long> rebuilds() {
        return holder.reverseMapStatus().map(ReverseMapStatus::rebuilds).orElseThrow();
    }

    private List<String> kindsOf(List<Long> blocks) throws IOException {
        List<String> kinds = new ArrayList<>();
        for (long block : blocks) {
            for (Owner owner : holder.notifyFailure(FailureRange.of(block * BLOCK, BLOCK))) {
                if (owner instanceof MetadataOwner metadata) {
                    kinds.add(metadata.kind());
                }
            }
        }
        return kinds;
    }

    private static Path freshDirectory() throws IOException {
        return Files.createDirectory(FILESYSTEM.path("t" + (++directories)));
    }

    /** Directories big enough for blocks of their own, small files (some inline), a fragmented one. */
    private static Path populatedTree() throws IOException {
        Path tree = freshDirectory();
        for (int d = 0; d < 8; d++) {
            Path directory = Files.createDirectory(tree.resolve("d" + d));
            for (int f = 0; f < 120; f++) {
                write(directory.resolve("file-with-a-long-name-" + f), 0, f % 3 == 0 ? 40 : 5000, f);
            }
        }
        Path fragmented = tree.resolve("fragmented");
        for (int i = 0; i < 12; i++) {
            write(fragmented, 2L * i * BLOCK, BLOCK, i);
        }
        return tree;
    }

    private static List<Long> directoryBlocks(Path tree) throws IOException {
        List<Long> blocks = new ArrayList<>();
        try (var directories = Files.walk(tree)) {
            for (Path directory : directories.filter(Files::isDirectory).toList()) {
                for (FiemapExtent extent : extentsOf(directory)) {
                    blocks.add(extent.physical() / BLOCK);
                }
            }
        }
        return blocks;
    }

    /**
     * Every block dumpe2fs places (superblocks, group descriptors, bitmaps, every block of every inode table), the
     * journal's first blocks and a free block; read with the filesystem frozen, before any holder watches it.
     */
    private static List<Long> metadataBlocks() throws IOException {
        return E2fsTools.frozen(FILESYSTEM.mountPoint(), () -> {
            String dump = Command.run("dumpe2fs", FILESYSTEM.device().toString());
            List<Long> blocks = new ArrayList<>();
            Matcher placed = Pattern.compile("(?:superblock|Group descriptors|Block bitmap|Inode bitmap|Inode table)"
                    + " at (\\d+)(?:-(\\d+))?").matcher(dump);
            while (placed.find()) {
                long first = Long.parseLong(placed.group(1));
                long last = placed.group(2) == null ? first : Long.parseLong(placed.group(2));
                for (long block = first; block <= last; block++) {
                    blocks.add(block);
                }
            }
            long journal = E2fsTools.firstJournalBlock(FILESYSTEM.device());
            for (long block = journal; block < journal + 16; block++) {
                blocks.add(block);
            }
            blocks.add(E2fsTools.aFreeBlock(FILESYSTEM.device()));
            return blocks;
        });
    }
}
