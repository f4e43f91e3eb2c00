package io.daxguard.ext4;

import static io.daxguard.ext4.Ext4Files.BLOCK;
import static io.daxguard.ext4.Ext4Files.extentsOf;
import static io.daxguard.ext4.Ext4Files.fileOwners;
import static io.daxguard.ext4.Ext4Files.inodeOf;
import static io.daxguard.ext4.Ext4Files.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A file deleted after the index was built, its blocks reused by another: the new file must be named, never
 * the old one. The filesystem is filled so that the old file's blocks are the only free ones.
 */
@Tag("mount")
class Ext4BlockReuseTest {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().sizeMiB(64).mkfsOptions("-b", "4096").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("sync");
    }

    @Test
    void namesTheNewOwnerOfBlocksADeletedFileHadNeverTheOld() throws Exception {
        Path old = write(FILESYSTEM.path("old"), 0, 512 * 1024, 1);
        fillTheFilesystem(FILESYSTEM.path("filler"));
        List<FiemapExtent> oldExtents = extentsOf(old);
        try (Ext4Holder holder = Ext4Files.attached(FILESYSTEM)) {
            Files.delete(old);
            Command.run("sync");
            Path reuser = write(FILESYSTEM.path("reuser"), 0, 256 * 1024, 2);
            long shared = firstCommonBlock(oldExtents, extentsOf(reuser));
            assertThat(shared).as("precondition: the new file reuses a block of the old").isNotNegative();

            List<FileOwner> owners = fileOwners(holder.notifyFailure(FailureRange.of(shared * BLOCK, BLOCK)));

            assertThat(owners).extracting(FileOwner::inode, FileOwner::generation).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(inodeOf(reuser), generationOf(reuser)));
        }
    }

    private static long generationOf(Path file) throws IOException {
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            return FileGeneration.of(open);
        }
    }

    /**
     * Writes until nothing is left; ext4's reserve pool ({@code reserved_clusters}, of this test's own
     * filesystem) is emptied first so that no free block is left outside the deleted file.
     */
    private static void fillTheFilesystem(Path filler) throws IOException {
        Files.writeString(Path.of("/sys/fs/ext4", FILESYSTEM.device().getFileName().toString(), "reserved_clusters"),
                "0");
        try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int chunk : new int[] {1 << 20, BLOCK, BLOCK, BLOCK}) {
                ByteBuffer data = ByteBuffer.allocate(chunk);
                try {
                    while (true) {
                        data.clear();
                        channel.write(data);
                    }
                } catch (IOException full) {
                    // ENOSPC: make it durable (releasing delayed-allocation reserves), then try smaller chunks
                }
                channel.force(true);
            }
        }
    }

    private static long firstCommonBlock(List<FiemapExtent> before, List<FiemapExtent> after) {
        for (FiemapExtent a : after) {
            for (FiemapExtent b : before) {
                long start = Math.max(a.physical(), b.physical());
                if (start < Math.min(a.physicalEnd(), b.physicalEnd())) {
                    return start / BLOCK;
                }
            }
        }
        return -1;
    }
}
