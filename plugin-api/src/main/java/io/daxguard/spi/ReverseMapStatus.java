package io.daxguard.spi;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a holder's own reverse map stands, for a filesystem that keeps none (an index the plugin builds); what
 * the Filesystem MBean shows. A holder that reads the filesystem's reverse map (XFS rmapbt) has no status.
 *
 * @param state       where the index is
 * @param percentDone 0 to 100; 100 once ready
 * @param files       files in the index (ready) or mapped so far by the build (building)
 * @param extents     extents in the index (ready) or found so far by the build (building)
 * @param message     why it failed, or any other word for the administrator; empty if none
 */
public record ReverseMapStatus(State state, int percentDone, long files, long extents, String message) {
    /** The life of an index. */
    public enum State {
        /** No index yet: the first build runs; data owners are answered as unknown until it is done. */
        BUILDING,
        /** An index is in use. */
        READY,
        /** An index is in use and a newer one is being built (the filesystem changed). */
        REBUILDING,
        /** The first build failed; data owners are answered as unknown, {@link #message} says why. */
        FAILED,
        /** The holder is closed. */
        CLOSED
    }

    public ReverseMapStatus {
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(message, "message is null");
        if (percentDone < 0 || percentDone > 100) {
            throw new IllegalArgumentException("percentDone must be in 0..100, was " + percentDone);
        }
        if (files < 0 || extents < 0) {
            throw new IllegalArgumentException("files and extents must not be negative, were " + files + ", "
                    + extents);
        }
    }

    /** One line for an administrator, for example {@code "ready: 202,022 files, 205,113 extents"}. */
    public String describe() {
        String counts = String.format(Locale.ROOT, "%,d files, %,d extents", files, extents);
        return switch (state) {
            case BUILDING -> "building " + percentDone + "% (" + counts + " so far)";
            case READY -> "ready: " + counts + (message.isEmpty() ? "" : " (" + message + ")");
            case REBUILDING -> "rebuilding (ready: " + counts + ")";
            case FAILED -> "failed: " + message;
            case CLOSED -> "closed";
        };
    }
}
