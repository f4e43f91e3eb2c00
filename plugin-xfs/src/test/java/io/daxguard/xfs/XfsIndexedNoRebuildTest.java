package io.daxguard.xfs;

import static io.daxguard.xfs.XfsFixtures.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * XFS without rmapbt (reflink on, as mkfs.xfs makes it, so nothing confirmed is remembered): questions about blocks
 * no file explains (btree roots, an inode chunk), the log, AG headers and directory blocks of an unchanged
 * filesystem never rebuild the index; a file written since the build refreshes it once, incrementally (only the
 * changed files are read), and is found.
 */
@Tag("mount")
class XfsIndexedNoRebuildTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0").build();
    private static int directories;
    private Holder holder;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("xfs_io", "xfs_db", "fsfreeze");
    }

    @AfterEach
    void closeHolder() throws Exception {
        if (holder != null) {
            holder.close();
        }
    }

    private Holder attached() throws Exception {
        Holder attached = new XfsPlugin().attach(XfsFixtures.mountOf(XFS), PluginContext.of(System.getLogger("test")));
        holder = attached;
        assertThat(attached.awaitReverseMap(Duration.ofMinutes(2))).as("index built").isTrue();
        return attached;
    }

    @Test
    void aThousandQuestionsOfBlocksNoFileExplainsOfAnUnchangedXfsRebuildNothing() throws Exception {
        Path tree = Files.createDirectory(XFS.path("t" + (++directories)));
        for (int f = 0; f < 400; f++) {
            XfsFixtures.writeSynced(tree.resolve("a-file-with-a-long-name-" + f), 1);
        }
        List<Long> offsets = new ArrayList<>();
        // Frozen, so the log is written back and xfs_db reads the blocks where they are.
        Command.run("fsfreeze", "--freeze", XFS.mountPoint().toString());
        try {
            offsets.addAll(unexplainedBlocks());
            offsets.addAll(directoryBlocks(XfsFixtures.inode(tree)));
        } finally {
            Command.run("fsfreeze", "--unfreeze", XFS.mountPoint().toString());
        }
        assertThat(offsets).as("precondition: the directory has blocks").hasSizeGreaterThan(4);
        attached();
        assertThat(holder.notifyFailure(FailureRange.of(offsets.get(0), BLOCK)))
                .as("precondition: a block no file explains").hasOnlyElementsOfType(UnknownOwner.class);

        for (int question = 0; question < 1_000; question++) {
            holder.notifyFailure(FailureRange.of(offsets.get(question % offsets.size()), BLOCK));
        }

        assertThat(rebuilds()).containsEntry("first", 1L).containsEntry("changed", 0L).containsEntry("rejected", 0L)
                .containsEntry("unexplained", 0L);
    }

    @Test
    void aFileWrittenAfterTheBuildRefreshesTheIndexOnceIncrementallyAndIsFound() throws Exception {
        Files.createDirectory(XFS.path("t" + (++directories)));
        attached();

        Path file = XfsFixtures.writeSynced(XFS.path("t" + directories).resolve("late"), 4);
        long inode = XfsFixtures.inode(file);
        List<Owner> owners = holder.notifyFailure(FailureRange.of(XfsFixtures.dataExtents(file).get(0).physical(),
                BLOCK));

        assertThat(owners).singleElement().isInstanceOfSatisfying(FileOwner.class,
                owner -> assertThat(owner.inode()).isEqualTo(inode));
        assertThat(rebuilds()).containsEntry("first", 1L).containsEntry("incremental", 1L)
                .containsEntry("changed", 0L);
    }

    private Map<String, Long> rebuilds() {
        return holder.reverseMapStatus().map(ReverseMapStatus::rebuilds).orElseThrow();
    }

    /** AG 0's free-space and inode btree roots and the root directory's inode chunk, as xfs_db reads them. */
    private static List<Long> unexplainedBlocks() throws Exception {
        List<Long> blocks = new ArrayList<>();
        for (String field : List.of("bnoroot", "cntroot")) {
            blocks.add(number(xfsDb("agf 0", "print " + field)) * BLOCK);
        }
        blocks.add(number(xfsDb("agi 0", "print root")) * BLOCK);
        String rootInode = xfsDb("sb 0", "print rootino").replaceAll("\\D", "");
        String converted = xfsDb("convert ino " + rootInode + " byte");
        blocks.add(Long.parseLong(converted.substring(converted.indexOf('(') + 1, converted.indexOf(')')))
                / BLOCK * BLOCK);
        return blocks;
    }

    /** The first byte of each block of a directory (XFS has no FIEMAP for directories): xfs_db's bmap. */
    private static List<Long> directoryBlocks(long inode) throws Exception {
        List<Long> blocks = new ArrayList<>();
        java.util.regex.Matcher mapped = java.util.regex.Pattern.compile("startblock (\\d+) \\(\\d+/\\d+\\) count (\\d+)")
                .matcher(xfsDb("inode " + inode, "bmap"));
        while (mapped.find()) {
            String converted = xfsDb("convert fsblock " + mapped.group(1) + " byte");
            long start = Long.parseLong(converted.substring(converted.indexOf('(') + 1, converted.indexOf(')')));
            for (int block = 0; block < Integer.parseInt(mapped.group(2)); block++) {
                blocks.add(start + (long) block * BLOCK);
            }
        }
        return blocks;
    }

    private static long number(String printed) {
        return Long.parseLong(printed.substring(printed.indexOf('=') + 1).strip());
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
