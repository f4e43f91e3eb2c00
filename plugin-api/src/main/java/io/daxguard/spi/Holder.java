package io.daxguard.spi;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The plugin's view of one mounted filesystem, as the kernel's {@code dax_holder_operations} is XFS's.
 *
 * <p>Thread safety: the agent may call {@link #notifyFailure} and {@link #forEachWrittenExtent} from several
 * threads at once; an implementation must allow that. {@link #close} is called once, after every call.
 */
public interface Holder extends Closeable {

    /** The mount this holder was attached to. */
    Mount mount();

    /** What the holder learned of the filesystem at attach. */
    FilesystemInfo info();

    /**
     * Reverse-maps a filesystem-relative byte range to every owner of it, in physical order.
     *
     * <p>Every byte of the range is covered by at least one owner: file data and its sharers, attribute
     * forks and extent maps, named metadata, free space, or {@link UnknownOwner} where the filesystem cannot
     * tell. Each owner's physical range is trimmed to the query. Reflinked bytes have one owner per sharer.
     */
    List<Owner> notifyFailure(FailureRange range) throws IOException;

    /**
     * Reverse-maps several ranges in one go: element {@code i} of the answer is what {@link #notifyFailure}
     * answers for range {@code i}. A holder overrides this when a batch is cheaper than separate calls (a
     * storm of kernel errors, a scrub's findings, an operator's list of bad sectors).
     */
    default List<List<Owner>> notifyFailures(List<FailureRange> ranges) throws IOException {
        List<List<Owner>> answers = new ArrayList<>(ranges.size());
        for (FailureRange range : ranges) {
            answers.add(notifyFailure(range));
        }
        return answers;
    }

    /**
     * Visits the written data extents (file data, attribute forks, metadata; not free space, not unwritten
     * preallocation) that intersect {@code [from, to)}, in physical order, each trimmed to that window and
     * visited once even when shared. The scrubber reads these.
     */
    void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException;

    /**
     * Every block device this filesystem keeps its data on. A filesystem over several devices (btrfs) names them
     * all; the agent then routes a failure on any of them to this holder, through
     * {@link #notifyFailure(DeviceNumber, FailureRange)}, and shows them in its status. By default, the mount's
     * own device. Asked at attach and again when the mount table changes (a device added or removed).
     */
    default List<DeviceNumber> memberDevices() throws IOException {
        return List.of(mount().device());
    }

    /**
     * Reverse-maps a byte range of one member device (offsets relative to the start of {@code member}) to every
     * owner, as {@link #notifyFailure(FailureRange)} does for the filesystem's only device. By default, that
     * method for the mount's own device.
     *
     * @throws IllegalArgumentException when {@code member} is not one of {@link #memberDevices()}
     */
    default List<Owner> notifyFailure(DeviceNumber member, FailureRange range) throws IOException {
        if (!member.equals(mount().device())) {
            throw new IllegalArgumentException("device " + member + " is not a member of the filesystem on "
                    + mount().mountPoint() + " (members: " + memberDevices() + ")");
        }
        return notifyFailure(range);
    }

    /**
     * The written extents of one member device, as {@link #forEachWrittenExtent(long, long, ExtentConsumer)}
     * does for the only one (offsets relative to {@code member}). By default, that method for the mount's device.
     *
     * @throws IllegalArgumentException when {@code member} is not one of {@link #memberDevices()}
     */
    default void forEachWrittenExtent(DeviceNumber member, long from, long to, ExtentConsumer consumer)
            throws IOException {
        if (!member.equals(mount().device())) {
            throw new IllegalArgumentException("device " + member + " is not a member of the filesystem on "
                    + mount().mountPoint() + " (members: " + memberDevices() + ")");
        }
        forEachWrittenExtent(from, to, consumer);
    }

    /**
     * How many copies the filesystem keeps of a range of a member device, from its layout. Damage to a range
     * with other copies is recorded as redundant (the filesystem reads another copy), not as data loss. By
     * default {@link Redundancy#NONE}.
     */
    default Redundancy redundancy(DeviceNumber member, FailureRange range) throws IOException {
        return Redundancy.NONE;
    }

    /**
     * Rewrites a damaged range of a member device from the filesystem's other copies, then verifies it (btrfs:
     * a scrub of that device range). Called by an operator's recovery action, never on its own.
     *
     * @throws UnsupportedOperationException when the filesystem keeps no other copy (the default)
     */
    default RepairOutcome repairFromCopies(DeviceNumber member, FailureRange range) throws IOException {
        throw new UnsupportedOperationException("the " + mount().fsType() + " filesystem on " + mount().mountPoint()
                + " keeps no other copy to repair from");
    }

    /**
     * The failures a kernel log message of this filesystem's own reports (btrfs: checksum and read errors naming
     * a device and a physical offset, or a root, inode and offset the holder places), or none. The agent offers
     * every kernel message to every holder; a holder answers quickly for a message that is not its own. By
     * default, none: the agent's own parser already reads the block layer's {@code I/O error} lines.
     */
    default List<MemberFailure> failuresIn(String kernelMessage) throws IOException {
        return List.of();
    }

    /**
     * Where the holder's own reverse map stands, when it builds one (a filesystem without a reverse map of its
     * own: ext4, XFS without rmapbt); empty when the filesystem answers by itself.
     */
    default Optional<ReverseMapStatus> reverseMapStatus() {
        return Optional.empty();
    }

    /**
     * Waits until the holder can name the files owning a range: its first index build finished (or failed, or
     * the holder closed). True at once for a holder that needs no index. Before then {@link #notifyFailure}
     * answers data ranges with an {@link UnknownOwner} saying the index is being built; a caller that must
     * have owners (a test, a benchmark, an operator's tool) waits here rather than polling.
     *
     * @return whether owners can be named (an index is ready)
     */
    default boolean awaitReverseMap(Duration timeout) throws InterruptedException {
        return true;
    }

    /**
     * Names of inodes the holder can give itself, so the agent need not walk the whole tree to name the files a
     * failure hit; empty (the default) when the holder keeps no names and the agent walks.
     */
    default Optional<PathNames> pathNames() {
        return Optional.empty();
    }

    /**
     * The damaged ranges as the filesystem's offline checker reads a bad-block list, when it has one: ext4's
     * {@code e2fsck -l} takes filesystem block numbers, one per line. Empty for a filesystem whose checker takes
     * no such list (XFS).
     *
     * @param damaged filesystem-relative ranges
     * @throws IllegalArgumentException when the list would be unreasonably long (a whole-device failure)
     */
    default Optional<String> offlineBadBlockList(List<FailureRange> damaged) {
        return Optional.empty();
    }

    /**
     * What to do about {@code damaged}, metadata of this filesystem named when the damage was found (perhaps by an
     * earlier holder, while the filesystem was mounted elsewhere or on another device): its repair hint as it reads
     * for where the filesystem is now ({@link #mount()}: mount point and device). The default keeps the hint as
     * written; a plugin whose hints name the mount rewrites them from the kind.
     */
    default String repairHint(MetadataOwner damaged) {
        return damaged.repairHint();
    }

    @Override
    void close() throws IOException;
}
