package io.daxguard.agent.source.trace;

import io.daxguard.spi.DeviceNumber;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code block:block_rq_error} trace event: a request on a block device completed with an error. Unlike the
 * kernel log's {@code I/O error} lines it is not rate-limited and it gives the request's length.
 *
 * @param device  the request's device (a whole disk or a partition's disk: requests are issued on the disk)
 * @param sector  the request's first 512-byte sector on the device
 * @param sectors the request's length in 512-byte sectors
 * @param error   the negative errno the request completed with ({@code -5} EIO, {@code -61} ENODATA for a medium
 *                error)
 * @param rwbs    the request's kind, as blktrace spells it ({@code R}, {@code RA}, {@code W}, {@code WS}...)
 * @param at      when the request failed, in nanoseconds of the trace clock ({@code CLOCK_MONOTONIC} in daxguard's
 *                own instance, the clock of {@link System#nanoTime()})
 */
public record BlockError(DeviceNumber device, long sector, long sectors, int error, String rwbs, long at) {
    /**
     * The event's text in {@code trace_pipe}, after the task, CPU and flags: the timestamp (seconds, microseconds)
     * and {@code block_rq_error: 7,3 R () 442368 + 20 none,0,0 [-5]} (Linux 6.x; before 6.1 without the I/O
     * priority field {@code none,0,0}).
     */
    private static final Pattern EVENT = Pattern.compile(" (\\d+)\\.(\\d{6}): block_rq_error: (\\d+),(\\d+) (\\S+) "
            + "\\((.*)\\) (\\d+) \\+ (\\d+)(?: \\S+)? \\[(-?\\d+)]\\s*$");

    public BlockError {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(rwbs, "rwbs is null");
        if (sector < 0 || sectors < 0) {
            throw new IllegalArgumentException("sector and sectors must not be negative: " + sector + " + " + sectors);
        }
    }

    /** The event in a {@code trace_pipe} line, if the line is one. */
    public static Optional<BlockError> parse(String line) {
        Matcher matcher = EVENT.matcher(line);
        if (!matcher.find()) {
            return Optional.empty();
        }
        try {
            long at = Math.addExact(Math.multiplyExact(Long.parseLong(matcher.group(1)), 1_000_000_000L),
                    Long.parseLong(matcher.group(2)) * 1_000L);
            return Optional.of(new BlockError(new DeviceNumber(Integer.parseInt(matcher.group(3)),
                    Integer.parseInt(matcher.group(4))), Long.parseLong(matcher.group(7)),
                    Long.parseLong(matcher.group(8)), Integer.parseInt(matcher.group(9)), matcher.group(5), at));
        } catch (IllegalArgumentException | ArithmeticException outOfRange) {
            return Optional.empty();
        }
    }

    /** Whether the request read (a read error is what loses data; a failed write is retried or reported to the writer). */
    public boolean isRead() {
        return rwbs.contains("R");
    }
}
