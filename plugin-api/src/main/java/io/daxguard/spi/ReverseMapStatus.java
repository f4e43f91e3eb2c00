package io.daxguard.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where a holder's own reverse map stands, for a filesystem that keeps none (an index the plugin builds); what
 * the Filesystem MBean shows. A holder that reads the filesystem's reverse map (XFS rmapbt) has no status.
 *
 * @param state       where the index is
 * @param percentDone 0 to 100; 100 once ready
 * @param files       files in the index (ready) or mapped so far by the build (building)
 * @param extents     extents in the index (ready) or found so far by the build (building)
 * @param message     why it failed, or any other word for the administrator; empty if none
 * @param rebuilds    builds so far by cause, in the index's order ({@code first}, {@code changed}, {@code rejected},
 *                    ...: {@code io.daxguard.support.index.RebuildCause#key}; {@code incremental} counts the refreshes
 *                    that read only the changed files); empty when not counted
 */
public record ReverseMapStatus(State state, int percentDone, long files, long extents, String message,
                               Map<String, Long> rebuilds) {
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
        rebuilds = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(rebuilds,
                "rebuilds is null")));
        if (rebuilds.values().stream().anyMatch(count -> count < 0)) {
            throw new IllegalArgumentException("rebuild counts must not be negative, were " + rebuilds);
        }
        if (percentDone < 0 || percentDone > 100) {
            throw new IllegalArgumentException("percentDone must be in 0..100, was " + percentDone);
        }
        if (files < 0 || extents < 0) {
            throw new IllegalArgumentException("files and extents must not be negative, were " + files + ", "
                    + extents);
        }
    }

    /** A status without rebuild counts. */
    public ReverseMapStatus(State state, int percentDone, long files, long extents, String message) {
        this(state, percentDone, files, extents, message, Map.of());
    }

    /** Builds since attach, the first included. */
    public long totalBuilds() {
        return rebuilds.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The builds by cause for an administrator, {@code "first 1, changed 2, rejected 0, ..."}; empty when none. */
    public String describeRebuilds() {
        return rebuilds.entrySet().stream().map(entry -> entry.getKey() + " " + entry.getValue())
                .collect(Collectors.joining(", "));
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
