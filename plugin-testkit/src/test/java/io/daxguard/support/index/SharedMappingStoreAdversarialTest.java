package io.daxguard.support.index;

import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.extentsOf;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.fileOwnerInodes;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.inodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A store through a shared writable mapping fills a hole of a file after the build, and msync allocates its block:
 * no syscall writes, so fanotify sends nothing (FAN_CLOSE_WRITE comes only when the mapping goes, since it holds the
 * file open; the application's descriptor was closed before). The index is current, so the unexplained block is
 * trusted to it and answered as unknown. Documented (IndexFreshness#isCurrent, the answer's reason names shared
 * mappings); a missing owner all the same. ext4; ground truth FIEMAP.
 */
@Tag("mount")
class SharedMappingStoreAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("sync");
    }

    /** FINDING (missing owner, documented limitation). */
    @Test
    void findsTheFileAtABlockAStoreThroughASharedMappingAllocatedAfterTheBuild() throws Exception {
        Path file = EXT4.path("sparse");
        MappedByteBuffer mapping;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[4096]), 0);
            channel.write(java.nio.ByteBuffer.wrap(new byte[4096]), 1L << 20);
            channel.force(true);
            mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, (1L << 20) + 4096);
        }
        Command.run("sync");
        assertThat(extentsOf(file)).as("precondition: a hole at 512 KiB").noneMatch(e -> e.logical() <= 512 * 1024
                && 512 * 1024 < e.logical() + e.length());
        try (LiveReverseMap map = LiveReverseMap.start(EXT4.mountPointBytes(), ExtraExtentSource.NONE,
                IncrementalRefreshAdversarialContract.LOGGER, p -> {
                })) {
            assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
            for (int i = 0; i < 4096; i++) {
                mapping.put(512 * 1024 + i, (byte) 0x5a);
            }
            mapping.force();
            FiemapExtent filled = extentsOf(file).stream().filter(e -> e.logical() <= 512 * 1024
                    && 512 * 1024 < e.logical() + e.length()).findFirst().orElseThrow(
                            () -> new AssertionError("precondition: msync allocated the hole's block"));
            long physical = filled.physical() + (512 * 1024 - filled.logical());

            assertThat(fileOwnerInodes(map.ownersOfAllocated(physical, physical + 4096)))
                    .containsExactly(inodeOf(file));
        }
    }
}
