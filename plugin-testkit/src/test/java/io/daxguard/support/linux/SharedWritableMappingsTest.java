package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which files of a filesystem are mapped shared and writable, checked with mappings this JVM makes. */
@Tag("mount")
class SharedWritableMappingsTest {
    @RegisterExtension
    static final ScratchFilesystem fs = ScratchFilesystem.ext4().build();

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mount");
    }

    @Test
    void findsAFileMappedSharedAndWritableAfterItsDescriptorIsClosed() throws IOException {
        Path file = Files.write(fs.path("mapped-shared"), new byte[8192]);
        MappedByteBuffer mapping;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
        }
        try {
            assertThat(SharedWritableMappings.on(FileStatus.ofPathNoFollow(file).device())).contains(inodeOf(file));
        } finally {
            Reference.reachabilityFence(mapping);
        }
    }

    @Test
    void leavesOutAFileMappedReadOnly() throws IOException {
        Path file = Files.write(fs.path("mapped-read-only"), new byte[8192]);
        MappedByteBuffer mapping;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, 8192);
        }
        try {
            assertThat(SharedWritableMappings.on(FileStatus.ofPathNoFollow(file).device()))
                    .doesNotContain(inodeOf(file));
        } finally {
            Reference.reachabilityFence(mapping);
        }
    }

    @Test
    void readsTheDeviceAndInodeOfASharedWritableLineOnly() {
        Set<Long> inodes = new HashSet<>();
        SharedWritableMappings.inodeIfSharedWritable("7f00-7f01 rw-s 00000000 07:03 12 /mnt/a", "07:03", inodes);
        SharedWritableMappings.inodeIfSharedWritable("7f00-7f01 rw-p 00000000 07:03 13 /mnt/b", "07:03", inodes);
        SharedWritableMappings.inodeIfSharedWritable("7f00-7f01 r--s 00000000 07:03 14 /mnt/c", "07:03", inodes);
        SharedWritableMappings.inodeIfSharedWritable("7f00-7f01 rw-s 00000000 07:04 15 /mnt/d", "07:03", inodes);

        assertThat(inodes).containsExactly(12L);
    }

    private static long inodeOf(Path file) throws IOException {
        return (Long) Files.getAttribute(file, "unix:ino");
    }
}
