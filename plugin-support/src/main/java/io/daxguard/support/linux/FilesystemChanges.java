package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import io.daxguard.spi.LinuxPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fanotify(7) on a whole filesystem: tells, without a thread, whether anything that can move a file's blocks
 * or names happened since the last look. A cache of facts read from the live filesystem (an index proposal
 * confirmed by FIEMAP, a verified path) stays true exactly as long as {@link #changesSince} says nothing
 * happened.
 *
 * <p>The group is {@code FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK}: events carry file handles, never
 * open descriptors, so no event keeps a file of the filesystem open (an event descriptor would make
 * {@code umount} fail with EBUSY, and one per event would cost a descriptor per write). The mark is
 * {@code FAN_MARK_FILESYSTEM} (every mount of the superblock; needs CAP_SYS_ADMIN) for
 * {@value #WATCHED_DESCRIPTION}. The kernel queues an event when the change completes (after the write,
 * truncate, fallocate, rename or unlink), so once a syscall has returned its event is readable: an empty queue
 * means no change finished since the last read. A full queue (16,384 events) becomes one
 * {@code FAN_Q_OVERFLOW} event, which also counts as a change. At unmount the kernel drops the mark itself.
 *
 * <p>Mounts count as changes too: a filesystem mounted over one of this one's directories changes where a
 * name leads without touching this filesystem. {@code /proc/self/mountinfo} raises {@code POLLPRI} once per
 * change of the mount table since the last poll, so each look also polls it, without waiting; after it raised, the
 * mounts on the way to, at and below the mount point are read ({@link MountsOnThePath}) and only a change of those
 * counts. A mount elsewhere is none: on a host that mounts other filesystems all day (containers, backups, test
 * runs) every look would otherwise start every cache of this filesystem's facts afresh.
 *
 * <p>What fanotify does not report: stores through a shared mmap (no syscall; they overwrite allocated blocks
 * or fill holes and delayed allocations, so no confirmed block changes hands), and the block-moving ioctls of
 * online defragmenters ({@code EXT4_IOC_MOVE_EXT}, {@code XFS_IOC_SWAPEXT}), which are reported when their
 * writable descriptor closes ({@code FAN_CLOSE_WRITE}).
 *
 * <p>For a count, events are only drained: that one arrived is all a cache needs. Once someone has asked for the
 * changed files ({@link #takeChangedFiles}, the index thread's incremental refresh), every event read is also
 * decoded: the file handle of its FID record ({@code struct fanotify_event_info_fid}) names the file written, or,
 * for a name made, removed or moved, the directory that holds the name. The queue is read while {@code FIONREAD}
 * says bytes are waiting, so an empty queue costs one ioctl and never an EAGAIN.
 *
 *
 * <p>Thread safety: {@link #changesSince} may be called from any thread; reads of the queue are serialised.
 */
public final class FilesystemChanges implements AutoCloseable {
    static final int FAN_CLASS_NOTIF = 0x0;
    static final int FAN_CLOEXEC = 0x1;
    static final int FAN_NONBLOCK = 0x2;
    static final int FAN_REPORT_TID = 0x100;
    static final int FAN_REPORT_FID = 0x200;
    static final int FAN_MARK_ADD = 0x1;
    static final int FAN_MARK_FILESYSTEM = 0x100;
    static final long FAN_MODIFY = 0x2;
    static final long FAN_ATTRIB = 0x4;
    static final long FAN_CLOSE_WRITE = 0x8;
    static final long FAN_MOVED_FROM = 0x40;
    static final long FAN_MOVED_TO = 0x80;
    static final long FAN_CREATE = 0x100;
    static final long FAN_DELETE = 0x200;
    static final long FAN_DELETE_SELF = 0x400;
    static final long FAN_MOVE_SELF = 0x800;
    static final long FAN_Q_OVERFLOW = 0x4000;
    static final long FAN_ONDIR = 0x4000_0000L;
    /** {@code struct fanotify_event_metadata}: its length, mask and the writer's thread id (FAN_REPORT_TID). */
    static final int EVENT_OFFSET_LEN = 0;
    static final int EVENT_OFFSET_MASK = 8;
    static final int EVENT_OFFSET_PID = 20;
    static final int EVENT_METADATA_SIZE = 24;
    static final int EVENT_OFFSET_METADATA_LEN = 6;
    /** {@code struct fanotify_event_info_header}, then {@code struct fanotify_event_info_fid}'s fsid and handle. */
    static final int INFO_OFFSET_TYPE = 0;
    static final int INFO_OFFSET_LEN = 2;
    static final int FID_OFFSET_HANDLE = 12;
    static final int FAN_EVENT_INFO_TYPE_FID = 1;
    static final int FAN_EVENT_INFO_TYPE_DFID_NAME = 2;
    static final int FAN_EVENT_INFO_TYPE_DFID = 3;
    /**
     * More distinct changed files than this since the last {@link #takeChangedFiles} are not kept: a refresh of that
     * many is no cheaper than a walk, and the set would grow without bound on a busy filesystem nobody asks about.
     */
    public static final int MAX_CHANGED_FILES = 10_000;
    /** {@code FIONREAD} of asm-generic/ioctls.h: bytes of events queued. */
    static final long FIONREAD = 0x541B;

    private static final String WATCHED_DESCRIPTION = "data written, truncated, fallocated or cloned (FAN_MODIFY),"
            + " attributes and link counts (FAN_ATTRIB), a writable descriptor closed (FAN_CLOSE_WRITE), names made,"
            + " removed or moved (FAN_CREATE, FAN_DELETE, FAN_MOVED_FROM, FAN_MOVED_TO, FAN_DELETE_SELF,"
            + " FAN_MOVE_SELF), directories included (FAN_ONDIR)";
    /** The events that can change which blocks a file maps, or its names. */
    static final long WATCHED = FAN_MODIFY | FAN_ATTRIB | FAN_CLOSE_WRITE | FAN_MOVED_FROM | FAN_MOVED_TO | FAN_CREATE
            | FAN_DELETE | FAN_DELETE_SELF | FAN_MOVE_SELF | FAN_ONDIR;
    private static final int BUFFER_SIZE = 64 * 1024;

    private static final Path MOUNT_TABLE = Path.of("/proc/self/mountinfo");
    /** Threads whose own writes are not changes: see {@link #quietCurrentThread}. */
    private static final Set<Integer> QUIET_THREADS = ConcurrentHashMap.newKeySet();

    private final NativeFile group;
    private final NativeFile mountTable;
    private final LinuxPath mountPoint;
    /** What {@link MountsOnThePath} read at the last change of the mount table. */
    private List<String> mountsOnThePath;
    private final Memory buffer = new Memory(BUFFER_SIZE);
    private final Memory queued = new Memory(Integer.BYTES);
    private final Object reading = new Object();
    private long seen;
    /** The part of {@link #seen} that came from the filesystem's own events, not from the mount table. */
    private long fileChanges;
    /** {@link #fileChanges} with the quiet threads' changes counted too. */
    private long fileChangesOfAnyThread;
    /** The part of {@link #seen} that came from the mount table. */
    private long mountChanges;
    /** The files named by events since the last {@link #takeChangedFiles}; null before the first, or when lost. */
    private Set<FileHandle> changedFiles;
    /** Whether {@link #takeChangedFiles} was ever called: only then are events decoded. */
    private boolean recording;

    private FilesystemChanges(NativeFile group, NativeFile mountTable, LinuxPath mountPoint,
                              List<String> mountsOnThePath) {
        this.group = group;
        this.mountTable = mountTable;
        this.mountPoint = mountPoint;
        this.mountsOnThePath = mountsOnThePath;
    }

    /**
     * Starts watching the filesystem mounted at {@code mountPoint}.
     *
     * @throws NativeCallException EPERM without CAP_SYS_ADMIN; EINVAL or ENOSYS from a kernel without
     *                             {@code FAN_REPORT_FID}; EXDEV/EOPNOTSUPP for a filesystem that cannot encode
     *                             file handles
     */
    public static FilesystemChanges watch(LinuxPath mountPoint) throws NativeCallException {
        int fd;
        try {
            fd = LibC.fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_FID | FAN_REPORT_TID,
                    LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw NativeCallException.from("fanotify_init", mountPoint, e);
        }
        NativeFile group = NativeFile.adopt(fd, "fanotify " + mountPoint);
        try {
            LibC.fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, WATCHED, LibC.AT_FDCWD,
                    mountPoint.nulTerminated());
        } catch (LastErrorException e) {
            group.closeQuietly();
            throw NativeCallException.from("fanotify_mark", mountPoint, e);
        }
        NativeFile mountTable;
        try {
            mountTable = NativeFile.openReadOnly(MOUNT_TABLE);
        } catch (NativeCallException e) {
            group.closeQuietly();
            throw e;
        }
        // The table is read once here, after the open: a change made from now on raises the first look's poll,
        // which reads it again. One that cannot be read is an empty list, which the first change then differs from.
        List<String> mountsOnThePath;
        try {
            mountsOnThePath = MountsOnThePath.of(mountPoint);
        } catch (IOException | RuntimeException e) {
            mountsOnThePath = List.of();
        }
        return new FilesystemChanges(group, mountTable, mountPoint, mountsOnThePath);
    }

    /**
     * Reads every queued event and returns how many changes were ever seen: a caller compares two answers, and
     * equal counts mean no watched change finished between the two calls (each look also counts a change of the
     * mount table). Costs one {@code poll} and one {@code ioctl} when nothing happened.
     */
    public long changesSince() throws NativeCallException {
        synchronized (reading) {
            short mounts = Poll.await(List.of(new Poll.Request(mountTable, Poll.POLLPRI)), 0)[0];
            if ((mounts & (Poll.POLLPRI | Poll.POLLERR)) != 0 && mountsOnThePathChanged()) {
                seen++;
                mountChanges++;
            }
            while (queuedBytes() > 0) {
                // One read or more per batch of events; each read that returns a change counts as one.
                int read = (int) group.read(buffer, BUFFER_SIZE); // at most BUFFER_SIZE
                if (read > 0) {
                    fileChangesOfAnyThread++;
                    if (recording) {
                        record(read);
                    }
                }
                if (read > 0 && anyChange(read)) {
                    seen++;
                    fileChanges++;
                }
            }
            return seen;
        }
    }

    /**
     * Reads every queued event, as {@link #changesSince}, and returns how many of the filesystem's own changes were
     * ever seen, the {@link #quietCurrentThread quiet threads'} included and the mount table's left out: for a list of
     * the filesystem's names, which a quiet thread's saved file (made, renamed over another) changes as much as
     * anyone's. Equal answers mean no file or name of the filesystem changed between the two calls, whoever would
     * have changed it; {@link #mountChangesSeen} says whether the mount table did.
     */
    public long fileChangesOfAnyThreadSince() throws NativeCallException {
        synchronized (reading) {
            changesSince();
            return fileChangesOfAnyThread;
        }
    }

    /**
     * What changed since the last call: reads every queued event, as {@link #changesSince}, and hands over the
     * counts after that read and the files the events named since the previous call (the quiet threads' included),
     * then starts a new set. {@link ChangedFiles#files} is null when the files are not known: the first call (nothing
     * was recorded before it), a full queue ({@code FAN_Q_OVERFLOW}: events were lost), an event without a file
     * handle, or more than {@value #MAX_CHANGED_FILES} files.
     */
    public ChangedFiles takeChangedFiles() throws NativeCallException {
        synchronized (reading) {
            changesSince();
            ChangedFiles taken = new ChangedFiles(fileChanges, mountChanges,
                    changedFiles == null ? null : Collections.unmodifiableSet(changedFiles)); // replaced below
            recording = true;
            changedFiles = new HashSet<>();
            return taken;
        }
    }

    /**
     * How many files the events read so far named since the last {@link #takeChangedFiles}; -1 when not known (see
     * there). Reads nothing: a caller that just looked ({@link #changesSince}) has every finished change in it.
     */
    public int changedFilesPending() {
        synchronized (reading) {
            return changedFiles == null ? -1 : changedFiles.size();
        }
    }

    /**
     * The counts after a {@link #takeChangedFiles} and the files changed since the previous one.
     *
     * @param fileChanges  {@link #fileChangesSeen} after the read
     * @param mountChanges {@link #mountChangesSeen} after the read
     * @param files        handles of the files written and of the directories whose names changed; null when unknown
     */
    public record ChangedFiles(long fileChanges, long mountChanges, Set<FileHandle> files) {
    }

    /** Adds the file handles of the events in the first {@code read} bytes of the buffer to {@link #changedFiles}. */
    private void record(int read) {
        changedFiles = addChangedFiles(buffer, read, changedFiles);
    }

    /**
     * Adds to {@code files} the file handles of the events in the first {@code read} bytes of {@code events}; returns
     * {@code files}, or null when the files are lost: a full queue ({@code FAN_Q_OVERFLOW}), an event without a
     * handle or cut short, or more than {@value #MAX_CHANGED_FILES} files.
     */
    static Set<FileHandle> addChangedFiles(Pointer events, int read, Set<FileHandle> files) {
        int offset = 0;
        while (files != null && offset + EVENT_METADATA_SIZE <= read) {
            int length = events.getInt(offset + EVENT_OFFSET_LEN);
            long mask = events.getLong(offset + EVENT_OFFSET_MASK);
            int metadataLength = events.getShort(offset + EVENT_OFFSET_METADATA_LEN) & 0xffff;
            if ((mask & FAN_Q_OVERFLOW) != 0 || length < EVENT_METADATA_SIZE || offset + length > read
                    || metadataLength < EVENT_METADATA_SIZE || metadataLength > length
                    || !addHandles(events, offset + metadataLength, offset + length, files)) {
                return null;
            }
            offset += length;
            if (files.size() > MAX_CHANGED_FILES) {
                return null;
            }
        }
        return files;
    }

    /** Adds the handles of the info records in {@code [from, to)}; false when none could be read. */
    private static boolean addHandles(Pointer events, int from, int to, Set<FileHandle> files) {
        boolean found = false;
        int at = from;
        while (at + FID_OFFSET_HANDLE + FileHandle.HEADER_SIZE <= to) {
            int type = events.getByte(at + INFO_OFFSET_TYPE) & 0xff;
            int length = events.getShort(at + INFO_OFFSET_LEN) & 0xffff;
            if (length < FID_OFFSET_HANDLE + FileHandle.HEADER_SIZE || at + length > to) {
                return false;
            }
            if (type == FAN_EVENT_INFO_TYPE_FID || type == FAN_EVENT_INFO_TYPE_DFID
                    || type == FAN_EVENT_INFO_TYPE_DFID_NAME) {
                int handleAt = at + FID_OFFSET_HANDLE;
                int bytes = events.getInt(handleAt + FileHandle.OFFSET_BYTES);
                if (bytes <= 0 || bytes > FileHandle.MAX_BYTES
                        || handleAt + FileHandle.HEADER_SIZE + bytes > at + length) {
                    return false;
                }
                files.add(new FileHandle(events.getInt(handleAt + FileHandle.OFFSET_TYPE),
                        events.getByteArray(handleAt + FileHandle.HEADER_SIZE, bytes)));
                found = true;
            }
            at += length;
        }
        return found;
    }

    /**
     * How many changes of the mounts on the way to, at or below the mount point the looks so far counted (part of
     * {@link #changesSince}). Reads nothing.
     */
    public long mountChangesSeen() {
        synchronized (reading) {
            return mountChanges;
        }
    }

    /**
     * Whether the events in the first {@code read} bytes of the buffer hold one that a {@link #quietCurrentThread
     * quiet thread} did not cause (a full queue always counts: its lost events may be anyone's).
     */
    private boolean anyChange(int read) {
        int offset = 0;
        while (offset + EVENT_METADATA_SIZE <= read) {
            int length = buffer.getInt(offset + EVENT_OFFSET_LEN);
            long mask = buffer.getLong(offset + EVENT_OFFSET_MASK);
            int thread = buffer.getInt(offset + EVENT_OFFSET_PID);
            if ((mask & FAN_Q_OVERFLOW) != 0 || !QUIET_THREADS.contains(thread)) {
                return true;
            }
            if (length < EVENT_METADATA_SIZE) {
                return true;
            }
            offset += length;
        }
        return false;
    }

    /**
     * From now until {@link #unquietCurrentThread}, what this thread writes into watched filesystems is not a
     * change. For the thread that builds a reverse-map index and then saves it into the agent's state directory:
     * when that directory is on the indexed filesystem, the save would otherwise make the next question rebuild
     * the index, whose save would make the next one rebuild it again. Only for a thread that changes no file whose
     * blocks or names anyone asks about. Events carry the writer's thread id ({@code FAN_REPORT_TID}) and are matched
     * to quiet threads when they are read, so a thread stays quiet until the events of its writes were read: for
     * the index thread, its whole life.
     */
    public static void quietCurrentThread() throws IOException {
        QUIET_THREADS.add(currentThreadId());
    }

    /** Ends {@link #quietCurrentThread}; call it before the thread ends, since thread ids are reused. */
    public static void unquietCurrentThread() throws IOException {
        QUIET_THREADS.remove(currentThreadId());
    }

    /** The kernel's id of the calling thread: {@code /proc/thread-self} links to {@code <pid>/task/<tid>}. */
    private static int currentThreadId() throws IOException {
        Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
        return Integer.parseInt(link.getFileName().toString());
    }

    /**
     * How many of the changes counted by the last {@link #changesSince} were the filesystem's own (files written,
     * made, removed, moved), leaving out changes of the mount table: what decides whether a list of the
     * filesystem's files and blocks is still complete (a mount elsewhere changes no file's blocks). Reads nothing.
     */
    public long fileChangesSeen() {
        synchronized (reading) {
            return fileChanges;
        }
    }

    /**
     * Whether the mounts on the way to, at or below the mount point differ from the last list; a table that cannot be
     * read counts as a change (what would have been cached is then asked again).
     */
    private boolean mountsOnThePathChanged() {
        List<String> now;
        try {
            now = MountsOnThePath.of(mountPoint);
        } catch (IOException | RuntimeException e) {
            mountsOnThePath = List.of();
            return true;
        }
        if (now.equals(mountsOnThePath)) {
            return false;
        }
        mountsOnThePath = now;
        return true;
    }

    private int queuedBytes() throws NativeCallException {
        queued.setInt(0, 0);
        group.ioctl("FIONREAD", FIONREAD, queued);
        return queued.getInt(0);
    }

    @Override
    public void close() throws IOException {
        synchronized (reading) {
            try {
                group.close();
            } finally {
                try {
                    mountTable.close();
                } finally {
                    buffer.close();
                    queued.close();
                }
            }
        }
    }
}
