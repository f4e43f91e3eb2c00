package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Walks one filesystem's directory tree with {@code getdents64(2)}, which hands over each entry's inode
 * number and type without a {@code stat} per file; that is what lets one walk resolve every pending inode
 * of a 200,000-file filesystem in well under a second. Directories are visited breadth first; a directory
 * on another device (a mount point inside the tree) is not entered.
 *
 * <pre>
 * struct linux_dirent64       offset
 *   __u64 d_ino                  0
 *   __s64 d_off                  8
 *   unsigned short d_reclen     16
 *   unsigned char d_type        18
 *   char d_name[]               19  NUL terminated
 * </pre>
 *
 * File names are handed over as the kernel gives them, bytes (see {@link LinuxPath}): a name that is not valid
 * UTF-8 must still be opened by its name later. Directories are opened by the bytes of their paths. A directory
 * below the root that cannot be opened or read (gone, a symlink, a media error) is skipped.
 */
public final class DirectoryWalk {
    static final int OFFSET_INO = 0;
    static final int OFFSET_RECLEN = 16;
    static final int OFFSET_TYPE = 18;
    static final int OFFSET_NAME = 19;
    private static final int BUFFER_SIZE = 256 * 1024;

    /** {@code d_type} values. */
    public static final int DT_UNKNOWN = 0;
    public static final int DT_DIR = 4;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;

    /** Receives entries; directory indexes are assigned in visit order, the root being 0. */
    public interface Visitor {
        /**
         * One entry of directory {@code parent}.
         *
         * @param name the entry's name, its bytes without the NUL; a new array the visitor may keep
         * @return whether to walk into this entry; return true only for directories. The n-th entry
         *         accepted gets directory index n (the root is 0), whether or not it can then be read
         */
        boolean entry(int parent, byte[] name, long inode, int type);
    }

    private DirectoryWalk() {
    }

    /**
     * Walks the tree under {@code root}. Entries that vanish or cannot be opened during the walk are skipped;
     * the walk is a snapshot of a live tree, not a transaction.
     *
     * @return the number of directories read
     */
    public static int walk(LinuxPath root, Visitor visitor) throws IOException {
        Frontier frontier = new Frontier();
        int read = 0;
        try (Memory buffer = new Memory(BUFFER_SIZE)) {
            frontier.add(root);
            DeviceNumber rootDevice = null;
            while (!frontier.isEmpty()) {
                Pending directory = frontier.poll();
                NativeFile open;
                try {
                    if (directory.index() != 0 && rootDevice != null
                            && !FileStatus.ofPathNoFollow(directory.path()).device().equals(rootDevice)) {
                        // A mount point inside the tree: not even opened, so its umount never meets our descriptor.
                        continue;
                    }
                    // Below the root, a directory replaced by a symlink (or an entry without d_type that is one)
                    // must not be followed: a link to an ancestor would make the walk loop.
                    open = directory.index() == 0 ? NativeFile.openDirectory(directory.path())
                            : NativeFile.openDirectoryNoFollow(directory.path());
                } catch (NativeCallException e) {
                    if (directory.index() == 0) {
                        throw e;
                    }
                    continue;
                }
                try (NativeFile dir = open) {
                    FileStatus status = dir.status();
                    if (rootDevice == null) {
                        rootDevice = status.device();
                    } else if (!status.device().equals(rootDevice)) {
                        continue; // mounted there between the check and the open
                    }
                    read++;
                    while (true) {
                        long filled;
                        try {
                            filled = LibC.getdents64(dir.fd(), buffer, BUFFER_SIZE);
                        } catch (LastErrorException e) {
                            if (directory.index() == 0) {
                                throw NativeCallException.from("getdents64", directory.path(), e);
                            }
                            // A damaged directory (EIO, EFSCORRUPTED) must not cost the names of every other
                            // file: the walk goes on without the rest of this directory.
                            break;
                        }
                        if (filled <= 0) {
                            break;
                        }
                        decode(buffer, filled, (name, inode, type) -> {
                            if (visitor.entry(directory.index(), name, inode, type)) {
                                frontier.add(directory.path().join(LinuxPath.of(name)));
                            }
                        });
                    }
                }
            }
        }
        return read;
    }

    /** Receives the entries of one directory ({@link #list}). */
    public interface EntrySink {
        /** One entry, {@code .} and {@code ..} left out; {@code name} is a new array the sink may keep. */
        void entry(byte[] name, long inode, int type);
    }

    /**
     * Reads every entry of {@code directory}, freshly opened (getdents reads on from the descriptor's position).
     * Unlike a {@link #walk}, an error (EIO) is thrown: a caller that lists one directory must not take a part of it
     * for the whole.
     */
    public static void list(NativeFile directory, EntrySink sink) throws NativeCallException {
        try (Memory buffer = new Memory(BUFFER_SIZE)) {
            while (true) {
                long filled;
                try {
                    filled = LibC.getdents64(directory.fd(), buffer, BUFFER_SIZE);
                } catch (LastErrorException e) {
                    throw NativeCallException.from("getdents64", directory.name(), e);
                }
                if (filled <= 0) {
                    return;
                }
                decode(buffer, filled, sink);
            }
        }
    }

    /**
     * Hands every record of the first {@code filled} bytes of {@code buffer}, as {@code getdents64} filled it, to
     * {@code sink}, {@code .} and {@code ..} left out: the one decoder of {@code struct linux_dirent64}.
     */
    private static void decode(Memory buffer, long filled, EntrySink sink) {
        for (long at = 0; at < filled; ) {
            int recordLength = buffer.getShort(at + OFFSET_RECLEN) & 0xffff;
            byte[] name = name(buffer, at + OFFSET_NAME, at + recordLength);
            if (!isDotOrDotDot(name)) {
                sink.entry(name, buffer.getLong(at + OFFSET_INO), buffer.getByte(at + OFFSET_TYPE) & 0xff);
            }
            at += recordLength;
        }
    }

    private record Pending(int index, LinuxPath path) {
    }

    /** The directories a {@link #walk} has still to read, each given the next index as it is accepted. */
    private static final class Frontier {
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private int nextIndex;

        void add(LinuxPath path) {
            queue.add(new Pending(nextIndex++, path));
        }

        boolean isEmpty() {
            return queue.isEmpty();
        }

        Pending poll() {
            return queue.poll();
        }
    }

    private static byte[] name(Memory buffer, long from, long recordEnd) {
        long end = from;
        while (end < recordEnd && buffer.getByte(end) != 0) {
            end++;
        }
        return buffer.getByteArray(from, (int) (end - from));
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.';
    }
}
