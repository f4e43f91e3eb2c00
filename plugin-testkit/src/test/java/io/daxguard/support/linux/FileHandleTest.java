package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The inode number read from the handle encodings ext4 and XFS use; the kernel's own handles in FilesystemChangesTest. */
class FileHandleTest {
    @Test
    void readsTheInodeOfAThirtyTwoBitInodeAndGenerationHandle() {
        byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(0xfffffff0).putInt(7).array();

        assertThat(new FileHandle(1, bytes).inodeNumber()).hasValue(0xfffffff0L);
    }

    @Test
    void readsTheInodeOfAnXfsSixtyFourBitInodeHandle() {
        byte[] bytes = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putLong(1L << 40 | 99).putInt(3).array();

        assertThat(new FileHandle(0x81, bytes).inodeNumber()).hasValue(1L << 40 | 99);
    }

    @Test
    void readsNoInodeFromAnEncodingItDoesNotKnow() {
        assertThat(new FileHandle(0x4d, new byte[16]).inodeNumber()).isEmpty();
    }
}
