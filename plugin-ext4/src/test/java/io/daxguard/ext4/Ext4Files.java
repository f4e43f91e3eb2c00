package io.daxguard.ext4;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Making files on a scratch ext4 and attaching a holder to it, for the tests. */
final class Ext4Files {
    static final int BLOCK = 4096;

    private Ext4Files() {
    }

    static Mount mountOf(ScratchFilesystem filesystem) throws IOException {
        return new Mount(0, filesystem.deviceNumber(), "/", filesystem.mountPointBytes(), "ext4",
                filesystem.device().toString(), "rw,relatime");
    }

    /** Attaches and waits for the first index build. */
    static Ext4Holder attached(ScratchFilesystem filesystem) throws Exception {
        return attached(filesystem, PluginContext.of(System.getLogger("test")));
    }

    /** Attaches with the given context (settings) and waits for the first index build. */
    static Ext4Holder attached(ScratchFilesystem filesystem, PluginContext context) throws Exception {
        Ext4Holder holder = (Ext4Holder) new Ext4Plugin().attach(mountOf(filesystem), context);
        if (!holder.awaitIndex(Duration.ofMinutes(5))) {
            holder.close();
            throw new AssertionError("index not built: " + holder.indexProgress());
        }
        return holder;
    }

    /** Writes {@code bytes} random bytes at {@code offset} and makes them durable (allocated). */
    static Path write(Path file, long offset, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(data), offset);
            channel.force(true);
        }
        return file;
    }

    static void setXattr(Path file, String name, int bytes) throws IOException {
        byte[] value = new byte[bytes];
        java.util.Arrays.fill(value, (byte) 'x');
        Files.getFileAttributeView(file, UserDefinedFileAttributeView.class).write(name, ByteBuffer.wrap(value));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    static List<FiemapExtent> extentsOf(Path file) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, 0, 64, extents::add);
        }
        return extents;
    }

    static long inodeOf(Path file) throws IOException {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    static List<FileOwner> fileOwners(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(FileOwner.class::cast).toList();
    }

    static List<Long> fileOwnerInodes(List<Owner> owners) {
        return fileOwners(owners).stream().map(FileOwner::inode).distinct().toList();
    }
}
