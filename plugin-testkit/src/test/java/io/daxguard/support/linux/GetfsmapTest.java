package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GETFSMAP and FIEMAP against a real XFS on a loop device. */
@Tag("mount")
class GetfsmapTest {
    private static final int BLOCK = 4096;

    @RegisterExtension
    static final ScratchFilesystem fs = ScratchFilesystem.xfs().build();

    @Test
    void fiemapPlacesAWrittenFileWhereTheDeviceHoldsItsBytes() throws IOException {
        byte[] content = content(5 * BLOCK, 11);
        Path file = writeSynced("fiemap-me", content);

        List<FiemapExtent> extents = fiemap(file);

        assertThat(extents).singleElement().satisfies(extent -> {
            assertThat(extent.logical()).isZero();
            assertThat(extent.length()).isEqualTo(content.length);
            assertThat(readDevice(extent.physical(), content.length)).isEqualTo(content);
        });
    }

    @Test
    void getfsmapNamesTheInodeAndFileOffsetOfAFilesExtent() throws IOException {
        Path file = writeSynced("fsmap-me", content(4 * BLOCK, 12));
        FiemapExtent extent = fiemap(file).get(0);

        List<FsmapRecord> records = getfsmap(extent.physical() + BLOCK, extent.physical() + BLOCK + 1,
                Getfsmap.DEFAULT_BATCH);

        // XFS returns the whole rmap record, not the queried byte.
        assertThat(records).containsExactly(new FsmapRecord(fs.deviceNumber().encoded(), records.get(0).flags()
                & FsmapRecord.FMR_OF_LAST, extent.physical(), inode(file), 0, 4 * BLOCK));
    }

    @Test
    void paginatesInBatchesSmallerThanTheAnswer() throws IOException {
        writeSynced("paginate-a", content(BLOCK, 13));
        writeSynced("paginate-b", content(3 * BLOCK, 14));

        List<FsmapRecord> inPairs = getfsmap(0, Long.MAX_VALUE, 2);
        List<FsmapRecord> atOnce = getfsmap(0, Long.MAX_VALUE, 10_000);

        assertThat(atOnce).as("an answer of many batches").hasSizeGreaterThan(16);
        assertThat(inPairs).isEqualTo(atOnce);
    }

    private static List<FsmapRecord> getfsmap(long from, long to, int batch) throws IOException {
        List<FsmapRecord> records = new ArrayList<>();
        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            Getfsmap.query(mountPoint, fs.deviceNumber().encoded(), from, to, batch, records::add);
        }
        return records;
    }

    private static List<FiemapExtent> fiemap(Path file) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, Fiemap.DEFAULT_BATCH, extents::add);
        }
        return extents;
    }

    static byte[] content(int length, int seed) {
        byte[] content = new byte[length];
        new java.util.Random(seed).nextBytes(content);
        return content;
    }

    private static Path writeSynced(String name, byte[] content) throws IOException {
        Path file = fs.path(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content));
            channel.force(true);
        }
        return file;
    }

    private static byte[] readDevice(long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try (FileChannel device = FileChannel.open(fs.device(), StandardOpenOption.READ)) {
            while (buffer.hasRemaining() && device.read(buffer, offset + buffer.position()) > 0) {
                // read until full
            }
        }
        return buffer.array();
    }

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }
}
