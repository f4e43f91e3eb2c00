package io.daxguard.agent.source.scrub;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of one filesystem's scrub, for JMX (becomes CompositeData) and the finished notification.
 *
 * @param mountPoint         the filesystem
 * @param state              a {@link ScrubState} name
 * @param bytesDone          written bytes verified so far (including those before a resume)
 * @param bytesTotal         written bytes of the filesystem when the scrub (re)started
 * @param bytesRead          device bytes this agent read for the scrub: the written ones, the small free gaps read
 *                           through between them (never reported) and nothing else; not kept across agents
 * @param position           the device byte up to which everything written was read
 * @param rateBytesPerSecond written bytes verified per second since the scrub (re)started; 0 before the first read
 * @param etaSeconds         seconds left at that rate; -1 when unknown
 * @param badRanges          bad runs found by this scrub
 * @param badBytes           bad bytes found by this scrub
 * @param firstBadRanges     the first bad runs found, {@code "offset+length"} in device bytes (at most 100)
 * @param startedAt          ISO-8601 time the scrub started, or empty
 * @param message            why it failed, or empty
 */
public record ScrubProgress(String mountPoint, String state, long bytesDone, long bytesTotal, long bytesRead,
                            long position, long rateBytesPerSecond, long etaSeconds, long badRanges, long badBytes,
                            List<String> firstBadRanges, String startedAt, String message) {
    public ScrubProgress {
        Objects.requireNonNull(mountPoint, "mountPoint is null");
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(startedAt, "startedAt is null");
        Objects.requireNonNull(message, "message is null");
        firstBadRanges = List.copyOf(Objects.requireNonNull(firstBadRanges, "firstBadRanges is null"));
    }

    public static ScrubProgress idle(String mountPoint) {
        return new ScrubProgress(mountPoint, ScrubState.IDLE.name(), 0, 0, 0, 0, 0, -1, 0, 0, List.of(), "", "");
    }
}
