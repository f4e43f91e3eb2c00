package io.daxguard.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class Ext4GeometryTest {
    /** A superblock of a 4 KiB-block filesystem whose journal (inode 8) is one extent of 4096 blocks at 32809. */
    private static byte[] superblock() {
        ByteBuffer sb = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        sb.putShort(0x38, (short) 0xef53);
        sb.putInt(0x18, 2);
        sb.putInt(0x04, 81920);
        sb.putInt(0x20, 32768);
        sb.putInt(0x28, 8192);
        sb.putShort(0x58, (short) 256);
        sb.putInt(0x54, 11);
        sb.putInt(0x5c, 0x4);
        sb.putInt(0xe0, 8);
        sb.put(0xfd, (byte) 1);
        sb.putShort(0x10c, (short) 0xf30a);
        sb.putShort(0x10c + 2, (short) 1);
        sb.putShort(0x10c + 4, (short) 4);
        sb.putShort(0x10c + 6, (short) 0);
        sb.putInt(0x10c + 12, 0);
        sb.putShort(0x10c + 16, (short) 4096);
        sb.putShort(0x10c + 18, (short) 0);
        sb.putInt(0x10c + 20, 32809);
        for (int i = 0; i < 16; i++) {
            sb.put(0x68 + i, (byte) (0x10 + i));
        }
        return sb.array();
    }

    @Test
    void findsTheJournalInTheSuperblocksCopyOfItsExtents() {
        assertThat(Ext4Geometry.parse(superblock()).journal)
                .containsExactly(new long[] {32809L * 4096, (32809L + 4096) * 4096});
    }

    @Test
    void readsTheBlockSizeFromItsLogarithm() {
        assertThat(Ext4Geometry.parse(superblock()).blockSize).isEqualTo(4096);
    }

    @Test
    void formatsTheUuidWithDashes() {
        assertThat(Ext4Geometry.parse(superblock()).uuid).isEqualTo("10111213-1415-1617-1819-1a1b1c1d1e1f");
    }

    @Test
    void countsTheBlockGroups() {
        assertThat(Ext4Geometry.parse(superblock()).groups).isEqualTo(3);
    }

    @Test
    void refusesABufferWithoutTheExt4Magic() {
        byte[] wrong = superblock();
        wrong[0x38] = 0;
        assertThatThrownBy(() -> Ext4Geometry.parse(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an ext4 superblock");
    }
}
