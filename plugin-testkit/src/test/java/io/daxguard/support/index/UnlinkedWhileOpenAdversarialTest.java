package io.daxguard.support.index;

import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.inodeOf;
import static io.daxguard.support.index.LiveReverseMapContract.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FileOwner;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A file unlinked after the build while a process still has it open (a deleted log a daemon still writes, a database's
 * temporary file): its blocks stay allocated to its inode until the last close, and the process reads and writes them.
 * The index rejects a file with no link (LiveConfirmation) and the walk cannot see it, so its blocks are answered as
 * "allocated, but no file maps it". Ground truth: FIEMAP through the still-open descriptor.
 */
@Tag("mount")
class UnlinkedWhileOpenAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("sync");
    }

    /** FINDING (missing owner; a design choice: no name, no owner). */
    @Test
    void namesTheInodeOfAFileUnlinkedWhileOpenAtTheBlocksItStillMaps() throws Exception {
        Path file = write(EXT4.path("unlinked-while-open"), 65536, 131);
        long inode = inodeOf(file);
        Command.run("sync");
        try (FileChannel open = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             LiveReverseMap map = LiveReverseMap.start(EXT4.mountPointBytes(), ExtraExtentSource.NONE,
                     IncrementalRefreshAdversarialContract.LOGGER, p -> {
                     })) {
            assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
            Files.delete(file);
            List<FiemapExtent> live = new ArrayList<>();
            try (NativeFile stillOpen = NativeFile.openReadOnly(Path.of("/proc/self/fd/" + descriptorOf(open)))) {
                Fiemap.map(stillOpen, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, 64, live::add);
            }
            assertThat(live).as("precondition: still mapped through the open descriptor").isNotEmpty();
            long physical = live.get(0).physical();

            assertThat(map.ownersOfAllocated(physical, physical + 4096)).filteredOn(FileOwner.class::isInstance)
                    .extracting(owner -> ((FileOwner) owner).inode()).containsExactly(inode);
        }
    }

    /** The descriptor number of {@code channel}, found among this process's descriptors by what it leads to. */
    private static int descriptorOf(FileChannel channel) throws Exception {
        try (var descriptors = Files.list(Path.of("/proc/self/fd"))) {
            for (Path descriptor : descriptors.toList()) {
                try {
                    if (Files.readSymbolicLink(descriptor).toString().contains("unlinked-while-open")) {
                        return Integer.parseInt(descriptor.getFileName().toString());
                    }
                } catch (java.io.IOException gone) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        throw new AssertionError("no descriptor of the unlinked file");
    }
}
