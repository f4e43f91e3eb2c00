package io.daxguard.btrfs;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.MemberFailure;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Places the damage btrfs's own kernel lines report ({@link BtrfsLogLine}) on this filesystem's members. A line
 * whose prefix names a device that is not a member is another filesystem's; the members are read again once
 * before a device is taken for another filesystem's, and a line naming a device not yet known as a member (one
 * added since) reads them again.
 */
final class KernelMessages {
    private final BtrfsHolder holder;
    /** The members as last read. */
    private volatile List<Member> members = List.of();
    /** Devices lines of other filesystems were seen to name in their prefix. */
    private final java.util.Set<String> othersDevices = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> ourDevices = java.util.concurrent.ConcurrentHashMap.newKeySet();

    KernelMessages(BtrfsHolder holder) {
        this.holder = holder;
        // The kernel names a btrfs in its lines by the device it was mounted from (the mount's source), also after
        // that device has been removed from it.
        String source = holder.mount().source();
        if (source.startsWith("/dev/")) {
            ourDevices.add(source);
            ourDevices.add(source.substring(source.lastIndexOf('/') + 1));
        }
    }

    List<MemberFailure> failuresIn(String message) throws IOException {
        Optional<BtrfsLogLine> parsed = BtrfsLogLine.parse(message, holder.info().blockSize());
        if (parsed.isEmpty() || !isOurs(parsed.get().filesystemDevice())) {
            return List.of();
        }
        if (parsed.get() instanceof BtrfsLogLine.OnDevice onDevice) {
            Optional<Member> member = member(onDevice.devicePath(), true);
            if (member.isEmpty() || onDevice.physical() >= member.get().totalBytes()) {
                return List.of();
            }
            long bytes = Math.min(onDevice.length(), member.get().totalBytes() - onDevice.physical());
            return List.of(new MemberFailure(member.get().device(), FailureRange.of(onDevice.physical(), bytes),
                    onDevice.text(), onDevice.byScrub()));
        }
        return placed((BtrfsLogLine.InFile) parsed.get());
    }

    /**
     * Whether a line's prefix names this filesystem: one of its members. A name found to be another filesystem's is
     * remembered, so that filesystem's lines are rejected without a system call from then on (the prefix names the
     * device a filesystem was mounted from, which changes only when that device leaves it).
     */
    private boolean isOurs(String filesystemDevice) throws IOException {
        if (ourDevices.contains(filesystemDevice)) {
            // Once a member's name, always this filesystem's: after that device is removed from it the kernel goes
            // on naming the filesystem by the device it was mounted from.
            return true;
        }
        if (othersDevices.contains(filesystemDevice)) {
            return false;
        }
        if (member(filesystemDevice, true).isPresent()) {
            ourDevices.add(filesystemDevice);
            return true;
        }
        othersDevices.add(filesystemDevice);
        return false;
    }

    /** The member a line names, by its kernel name ({@code loop3}) or its path ({@code /dev/loop3}). */
    private Optional<Member> member(String name, boolean readAgainIfUnknown) throws IOException {
        for (Member member : members) {
            if (member.isNamed(name)) {
                return Optional.of(member);
            }
        }
        if (!readAgainIfUnknown) {
            return Optional.empty();
        }
        members = holder.members();
        return member(name, false);
    }

    /** A file's sector, placed through its file extent item and the chunk's mirror. */
    private List<MemberFailure> placed(BtrfsLogLine.InFile line) throws IOException {
        if (!Trees.isSubvolume(line.root())) {
            return List.of();
        }
        try (NativeFile filesystem = holder.openFilesystem()) {
            Optional<long[]> logical = new FileExtents(filesystem).logicalAt(line.root(), line.inode(),
                    line.fileOffset());
            if (logical.isEmpty()) {
                return List.of(); // rewritten or deleted since: those bytes are no longer the file's
            }
            Optional<Chunk.Placement> placement = new DeviceMap(filesystem).chunkHolding(logical.get()[0])
                    .flatMap(chunk -> chunk.placementOf(logical.get()[0], line.mirror()));
            if (placement.isEmpty()) {
                return List.of();
            }
            for (Member member : BtrfsHolder.members(filesystem)) {
                if (member.devid() == placement.get().devid()) {
                    long length = Math.max(logical.get()[1], holder.info().blockSize());
                    return List.of(new MemberFailure(member.device(),
                            FailureRange.of(placement.get().physical(), length), line.text()));
                }
            }
            return List.of();
        }
    }
}
