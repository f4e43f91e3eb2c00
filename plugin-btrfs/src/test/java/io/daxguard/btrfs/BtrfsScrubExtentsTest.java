package io.daxguard.btrfs;

import static io.daxguard.btrfs.BtrfsFixtures.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Holder;
import io.daxguard.spi.PluginContext;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.OpenDescriptors;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a scrub of a btrfs member reads ({@code forEachWrittenExtent}): written data, never bytes a file holds only
 * as preallocation; and the mount point is not held open while the scrub's consumer runs (found by the conformance
 * suite, issue 16).
 */
@Tag("mount")
class BtrfsScrubExtentsTest {
    private static ScratchFilesystem fs;
    private static Holder holder;
    private static DeviceNumber member;

    @BeforeAll
    static void attach() throws IOException {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs", "fallocate");
        fs = ScratchFilesystem.of("btrfs").build();
        try {
            fs.create();
            holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(fs.mountPoint()),
                    PluginContext.of(System.getLogger("test")));
            member = fs.deviceNumber();
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    @AfterAll
    static void detach() throws IOException {
        try {
            if (holder != null) {
                holder.close();
            }
        } finally {
            if (fs != null) {
                fs.close();
            }
        }
    }

    @Test
    void aPreallocatedExtentIsScrubbedOnlyWhereAFileWroteIntoIt() throws IOException {
        Path file = fs.path("partly-written");
        Command.run("fallocate", "-l", Integer.toString(8 * BLOCK), file.toString());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[2 * BLOCK]), 3L * BLOCK);
            channel.force(true);
        }
        BtrfsFixtures.commit(fs.mountPoint());
        long firstBlock = BtrfsFixtures.physicalFromChunkTree(BtrfsFixtures.logicalOf(file, 0), fs.device());

        List<long[]> visited = scrub(firstBlock, firstBlock + 8 * BLOCK);

        assertThat(visited).extracting(run -> run[0] - firstBlock, run -> run[1])
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3L * BLOCK, 2L * BLOCK));
    }

    @Test
    void aWrittenExtentIsScrubbedWhole() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(fs.path("written"), 4);
        long firstBlock = BtrfsFixtures.physicalFromChunkTree(BtrfsFixtures.logicalOf(file, 0), fs.device());

        assertThat(scrub(firstBlock, firstBlock + 4 * BLOCK)).extracting(run -> run[0], run -> run[1])
                .containsExactly(org.assertj.core.groups.Tuple.tuple(firstBlock, 4L * BLOCK));
    }

    @Test
    void theMountIsNotHeldOpenWhileTheConsumerRuns() throws IOException {
        List<List<String>> openDuringCalls = new ArrayList<>();

        holder.forEachWrittenExtent(member, 0, 320L << 20, (offset, length) -> openDuringCalls.add(
                OpenDescriptors.targets().stream().filter(target -> target.startsWith(fs.mountPoint().toString()))
                        .toList()));

        assertThat(openDuringCalls).isNotEmpty().allSatisfy(open -> assertThat(open).isEmpty());
    }

    @Test
    void aScrubReadInBatchesOfOneVisitsWhatOneBatchVisits() throws IOException {
        BtrfsFixtures.writeCommitted(fs.path("batched"), 8);
        List<String> whole = new ArrayList<>();
        List<String> inBatchesOfOne = new ArrayList<>();

        ((BtrfsHolder) holder).writtenExtents(member, 0, 320L << 20, (o, l) -> whole.add(o + "+" + l), 1 << 20);
        ((BtrfsHolder) holder).writtenExtents(member, 0, 320L << 20, (o, l) -> inBatchesOfOne.add(o + "+" + l), 1);

        assertThat(inBatchesOfOne).hasSizeGreaterThan(2).isEqualTo(whole);
    }

    private static List<long[]> scrub(long from, long to) throws IOException {
        List<long[]> visited = new ArrayList<>();
        holder.forEachWrittenExtent(member, from, to, (offset, length) -> visited.add(new long[] {offset, length}));
        return visited;
    }
}
