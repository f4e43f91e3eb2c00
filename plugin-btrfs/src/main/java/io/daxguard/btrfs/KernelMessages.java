package io.daxguard.btrfs;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.MemberFailure;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * btrfs's own kernel log lines that place damaged bytes on a member device. Every btrfs line starts
 * {@code BTRFS <level> (device <name>[: state ...]): }, the name being one of the filesystem's devices (the
 * kernel's {@code s_id}); lines of other filesystems are rejected on that prefix, without a system call. Read, as
 * this kernel (6.18) writes them:
 *
 * <ul>
 *   <li>{@code scrub: checksum error at logical L on dev /dev/loopN, physical P root R inode I offset O length N
 *       links K (path: ...)}, and scrub's {@code unable to fixup (regular) error} and {@code fixed up error} {@code at
 *       logical L on dev D physical P}: scrub names the start of the 64 KiB stripe element holding the bad
 *       sectors, not the sectors, so the failure is that element;</li>
 *   <li>{@code read error corrected: ino I off O (dev /dev/loopN sector S)}: the sector, in 512-byte units;</li>
 *   <li>{@code csum failed root R ino I off O csum ... expected csum ... mirror M}: the file's sector, placed
 *       through its file extent item and the chunk's mirror M.</li>
 * </ul>
 */
final class KernelMessages {
    /** BTRFS_STRIPE_LEN: what scrub works in, and the most a scrub line can stand for. */
    static final long STRIPE_LEN = 64 * 1024;
    private static final Pattern PREFIX = Pattern.compile("BTRFS \\w+ \\(device ([^\\s:)]+)[^)]*\\): (.*)");
    private static final Pattern AT_PHYSICAL = Pattern.compile(
            "at logical (\\d+) on dev (\\S+?),? physical (\\d+)");
    private static final Pattern READ_ERROR_CORRECTED = Pattern.compile(
            "read error corrected: ino (\\d+) off (\\d+) \\(dev (\\S+) sector (\\d+)\\)");
    private static final Pattern CSUM_FAILED = Pattern.compile(
            "csum failed root (\\d+) ino (\\d+) off (\\d+) .*mirror (\\d+)");

    private final BtrfsHolder holder;
    /** The members as last read; read again when a line names a device not among them. */
    private volatile List<Member> members = List.of();

    KernelMessages(BtrfsHolder holder) {
        this.holder = holder;
    }

    List<MemberFailure> failuresIn(String message) throws IOException {
        int at = message.indexOf("BTRFS ");
        if (at < 0) {
            return List.of();
        }
        Matcher prefix = PREFIX.matcher(message).region(at, message.length());
        if (!prefix.lookingAt() || !isOurs(prefix.group(1))) {
            return List.of();
        }
        String text = prefix.group(2);
        Matcher scrub = AT_PHYSICAL.matcher(text);
        if (scrub.find()) {
            return failure(scrub.group(2), Long.parseLong(scrub.group(3)), STRIPE_LEN, text);
        }
        Matcher corrected = READ_ERROR_CORRECTED.matcher(text);
        if (corrected.find()) {
            return failure(corrected.group(3), Long.parseLong(corrected.group(4)) * 512, holder.info().blockSize(),
                    text);
        }
        Matcher csum = CSUM_FAILED.matcher(text);
        if (csum.find()) {
            return placed(Long.parseLong(csum.group(1)), Long.parseLong(csum.group(2)),
                    Long.parseLong(csum.group(3)), Integer.parseInt(csum.group(4)), text);
        }
        return List.of();
    }

    /** Whether the device a line's prefix names is one of this filesystem's (read again once if not). */
    private boolean isOurs(String deviceName) throws IOException {
        if (member(deviceName).isPresent()) {
            return true;
        }
        members = holder.members();
        return member(deviceName).isPresent();
    }

    /** The member a line names, by its kernel name ({@code loop3}) or its path ({@code /dev/loop3}). */
    private Optional<Member> member(String name) {
        for (Member member : members) {
            if (member.kernelName().equals(name) || member.path().display().equals(name)) {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }

    private List<MemberFailure> failure(String device, long physical, long length, String text) throws IOException {
        Optional<Member> member = member(device);
        if (member.isEmpty()) {
            members = holder.members();
            member = member(device);
        }
        if (member.isEmpty() || physical >= member.get().totalBytes()) {
            return List.of();
        }
        long bytes = Math.min(length, member.get().totalBytes() - physical);
        return List.of(new MemberFailure(member.get().device(), FailureRange.of(physical, bytes), text));
    }

    /** A file's sector, as a csum failure names it, placed on the device holding mirror {@code mirror}. */
    private List<MemberFailure> placed(long root, long inode, long fileOffset, int mirror, String text)
            throws IOException {
        if (!Trees.isSubvolume(root)) {
            return List.of();
        }
        try (NativeFile filesystem = holder.openFilesystem()) {
            Optional<long[]> logical = new FileExtents(filesystem).logicalAt(root, inode, fileOffset);
            if (logical.isEmpty()) {
                return List.of(); // rewritten or deleted since: those bytes are no longer the file's
            }
            DeviceMap map = new DeviceMap(filesystem);
            Optional<Chunk> chunk = map.chunkHolding(logical.get()[0]);
            Optional<Chunk.Placement> placement = chunk.flatMap(c -> c.placementOf(logical.get()[0], mirror));
            if (placement.isEmpty()) {
                return List.of();
            }
            members = BtrfsHolder.members(filesystem);
            for (Member member : members) {
                if (member.devid() == placement.get().devid()) {
                    long length = Math.max(logical.get()[1], holder.info().blockSize());
                    return List.of(new MemberFailure(member.device(),
                            FailureRange.of(placement.get().physical(), length), text));
                }
            }
            return List.of();
        }
    }
}
