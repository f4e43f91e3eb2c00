package io.daxguard.btrfs;

import com.sun.jna.Memory;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.RepairOutcome;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;

/**
 * {@code BTRFS_IOC_SCRUB} of one device's range: btrfs reads every copy it keeps there, checks it against its
 * checksums, and (unless read-only) rewrites a bad copy from a good one. The kernel scrubs whole device extents:
 * every chunk stripe the range touches. The call returns when the scrub is done.
 *
 * <pre>
 * struct btrfs_ioctl_scrub_args (1024 bytes)     struct btrfs_scrub_progress (15 x __u64)
 *   __u64 devid       0                            data_bytes_scrubbed   16    super_errors          72
 *   __u64 start       8                            tree_bytes_scrubbed   24    uncorrectable_errors  88
 *   __u64 end        16   (inclusive)              read_errors           32    corrected_errors      96
 *   __u64 flags      24   READONLY = 1             csum_errors           40    unverified_errors    112
 *   struct btrfs_scrub_progress progress  32       verify_errors         48
 * </pre>
 */
final class Scrub {
    /** {@code _IOWR(0x94, 27, struct btrfs_ioctl_scrub_args)}. */
    static final long BTRFS_IOC_SCRUB = 0xc400941bL;
    static final int ARGS_SIZE = 1024;
    static final int DEVID = 0;
    static final int START = 8;
    static final int END = 16;
    static final int FLAGS = 24;
    static final int PROGRESS = 32;
    static final long READONLY = 1;
    static final int DATA_BYTES_SCRUBBED = 16;
    static final int TREE_BYTES_SCRUBBED = 24;
    static final int READ_ERRORS = 32;
    static final int CSUM_ERRORS = 40;
    static final int VERIFY_ERRORS = 48;
    static final int SUPER_ERRORS = 72;
    static final int UNCORRECTABLE_ERRORS = 88;
    static final int CORRECTED_ERRORS = 96;
    static final int UNVERIFIED_ERRORS = 112;
    private static final int EINPROGRESS = 115;

    /** What one scrub counted (errors in sectors, as btrfs counts them). */
    record Counts(long bytesScrubbed, long readErrors, long csumErrors, long verifyErrors, long superErrors,
                  long uncorrectable, long corrected) {
        long errors() {
            return readErrors + csumErrors + verifyErrors;
        }

        @Override
        public String toString() {
            return bytesScrubbed + " bytes scrubbed, " + readErrors + " read errors, " + csumErrors
                    + " checksum errors, " + verifyErrors + " verify errors, " + corrected + " corrected, "
                    + uncorrectable + " uncorrectable";
        }
    }

    private Scrub() {
    }

    /** Scrubs {@code range} of {@code member}, repairing, then scrubs it again read-only to verify. */
    static RepairOutcome repair(NativeFile filesystem, Member member, FailureRange range, int sectorSize)
            throws IOException {
        Counts repair = scrub(filesystem, member, range, false);
        Counts verify = scrub(filesystem, member, range, true);
        boolean repaired = verify.errors() == 0 && verify.uncorrectable() == 0;
        return new RepairOutcome(repaired, repair.corrected() * sectorSize, repair.uncorrectable() * sectorSize,
                "btrfs scrub of " + member.path() + " bytes " + range.offset() + ".." + (range.end() - 1)
                        + " (the device extents holding them): " + repair + "; verify (read-only scrub): "
                        + (repaired ? "no errors" : verify.toString()));
    }

    static Counts scrub(NativeFile filesystem, Member member, FailureRange range, boolean readOnly)
            throws IOException {
        try (Memory args = new Memory(ARGS_SIZE)) {
            args.clear();
            args.setLong(DEVID, member.devid());
            args.setLong(START, range.offset());
            args.setLong(END, range.end() - 1);
            args.setLong(FLAGS, readOnly ? READONLY : 0);
            try {
                filesystem.ioctl("BTRFS_IOC_SCRUB(devid " + member.devid() + (readOnly ? ", read-only" : "") + ")",
                        BTRFS_IOC_SCRUB, args);
            } catch (NativeCallException e) {
                if (e.errno() == EINPROGRESS) {
                    throw new IOException("a scrub of " + member.path() + " is already running; wait for it"
                            + " (btrfs scrub status) and try again", e);
                }
                throw e;
            }
            long progress = PROGRESS;
            return new Counts(args.getLong(progress + DATA_BYTES_SCRUBBED) + args.getLong(progress + TREE_BYTES_SCRUBBED),
                    args.getLong(progress + READ_ERRORS), args.getLong(progress + CSUM_ERRORS),
                    args.getLong(progress + VERIFY_ERRORS), args.getLong(progress + SUPER_ERRORS),
                    args.getLong(progress + UNCORRECTABLE_ERRORS), args.getLong(progress + CORRECTED_ERRORS));
        }
    }
}
