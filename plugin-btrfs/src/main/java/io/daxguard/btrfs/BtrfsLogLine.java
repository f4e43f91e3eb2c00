package io.daxguard.btrfs;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A btrfs kernel log line that places damaged bytes: on a device ({@link OnDevice}) or in a file ({@link InFile}).
 * Every btrfs line starts {@code BTRFS <level> (device <name>[: state ...]): }, the name being one of the
 * filesystem's devices (the kernel's {@code s_id}). Read, as this kernel (6.18) writes them:
 *
 * <ul>
 *   <li>{@code scrub: checksum error at logical L on dev /dev/loopN, physical P root R inode I offset O length N
 *       links K (path: ...)}, and scrub's {@code unable to fixup (regular) error} and {@code fixed up error} {@code at
 *       logical L on dev D physical P}: scrub names the start of the 64 KiB stripe element holding the bad
 *       sectors, not the sectors themselves, so the bytes are that element;</li>
 *   <li>{@code read error corrected: ino I off O (dev /dev/loopN sector S)}: the sector, in 512-byte units;</li>
 *   <li>{@code csum failed root R ino I off O csum ... expected csum ... mirror M}: a sector of a file.</li>
 * </ul>
 *
 * Parsing makes no system call; a line that is not btrfs's is rejected on its first search.
 */
sealed interface BtrfsLogLine {
    /** BTRFS_STRIPE_LEN: what scrub reads and reports in. */
    long STRIPE_LEN = 64 * 1024;

    /** The device the line's prefix names the filesystem by. */
    String filesystemDevice();

    /** The line's own words, after the prefix. */
    String text();

    /** {@code length} bytes at {@code physical} of the device at {@code devicePath}. */
    record OnDevice(String filesystemDevice, String devicePath, long physical, long length, String text)
            implements BtrfsLogLine {
        /** Whether scrub wrote it ("... at logical L on dev D, physical P"), not a read that failed. */
        boolean byScrub() {
            return AT_PHYSICAL.matcher(text).find();
        }
    }

    /** The sector at {@code fileOffset} of inode {@code inode} of subvolume {@code root}, as mirror {@code mirror} has it. */
    record InFile(String filesystemDevice, long root, long inode, long fileOffset, int mirror, String text)
            implements BtrfsLogLine {
    }

    /** At the start of a message (after dmesg's timestamp, in a line copied from it). */
    Pattern PREFIX = Pattern.compile("(?:\\[\\s*[\\d.]+\\]\\s+)?BTRFS \\w+ \\(device ([^\\s:)]+)[^)]*\\): (.*)");
    Pattern AT_PHYSICAL = Pattern.compile("at logical (\\d+) on dev (\\S+?),? physical (\\d+)");
    Pattern READ_ERROR_CORRECTED = Pattern.compile(
            "read error corrected: ino (\\d+) off (\\d+) \\(dev (\\S+) sector (\\d+)\\)");
    Pattern CSUM_FAILED = Pattern.compile("csum failed root (\\d+) ino (\\d+) off (\\d+) .*mirror (\\d+)");

    /**
     * The damage {@code line} reports, if it is a btrfs line that places some.
     *
     * @param sectorSize the filesystem's sector size: the bytes a line naming one sector stands for
     */
    static Optional<BtrfsLogLine> parse(String line, int sectorSize) {
        // Only at the start of the message: btrfs's own lines begin so, while text after it is anyone's (a label
        // printed at device scan, "BTRFS: device label <label>", may carry a forged line of its own).
        Matcher prefix = PREFIX.matcher(line);
        if (!prefix.lookingAt()) {
            return Optional.empty();
        }
        String device = prefix.group(1);
        String text = prefix.group(2);
        Matcher scrub = AT_PHYSICAL.matcher(text);
        if (scrub.find()) {
            return Optional.of(new OnDevice(device, scrub.group(2), Long.parseLong(scrub.group(3)), STRIPE_LEN, text));
        }
        Matcher corrected = READ_ERROR_CORRECTED.matcher(text);
        if (corrected.find()) {
            return Optional.of(new OnDevice(device, corrected.group(3), Long.parseLong(corrected.group(4)) * 512,
                    sectorSize, text));
        }
        Matcher csum = CSUM_FAILED.matcher(text);
        if (csum.find()) {
            return Optional.of(new InFile(device, Long.parseLong(csum.group(1)), Long.parseLong(csum.group(2)),
                    Long.parseLong(csum.group(3)), Integer.parseInt(csum.group(4)), text));
        }
        return Optional.empty();
    }
}
