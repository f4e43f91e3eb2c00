package io.daxguard.support.index;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LiveReverseMap} builds and refreshes its index.
 *
 * @param extras             blocks FIEMAP does not show; {@link ExtraExtentSource#NONE} if none
 * @param scanner            a filesystem-specific bulk source of files and extents, or null for FIEMAP per file
 * @param gapRefreshInterval the least time between two rebuilds caused only by allocated blocks no file
 *                           explains (a failed confirmation always rebuilds); default 10 s
 * @param rememberConfirmations whether owners and names confirmed live are remembered until the filesystem next
 *                           changes (fanotify; see {@link ConfirmedFacts}); default true. False confirms every
 *                           answer live, which only costs time.
 * @param saved              where the index is saved after every build and loaded from at start (see
 *                           {@link SavedIndexFile}), or null to build from scratch at every start; default null
 */
public record IndexOptions(ExtraExtentSource extras, InodeScanner scanner, Duration gapRefreshInterval,
                           boolean rememberConfirmations, SavedIndexFile saved) {
    public static final Duration DEFAULT_GAP_REFRESH_INTERVAL = Duration.ofSeconds(10);

    public IndexOptions {
        Objects.requireNonNull(extras, "extras is null");
        Objects.requireNonNull(gapRefreshInterval, "gapRefreshInterval is null");
        if (gapRefreshInterval.isNegative()) {
            throw new IllegalArgumentException("gapRefreshInterval must not be negative, was " + gapRefreshInterval);
        }
    }

    /** FIEMAP per file, nothing extra, default interval: what a filesystem without a plugin-specific source uses. */
    public static IndexOptions defaults() {
        return new IndexOptions(ExtraExtentSource.NONE, null, DEFAULT_GAP_REFRESH_INTERVAL, true, null);
    }

    public IndexOptions withExtras(ExtraExtentSource newExtras) {
        return new IndexOptions(newExtras, scanner, gapRefreshInterval, rememberConfirmations, saved);
    }

    /** Saves every built index to {@code file} and starts from it; {@code Optional.empty()} builds from scratch. */
    public IndexOptions withSavedIndex(java.util.Optional<SavedIndexFile> file) {
        return new IndexOptions(extras, scanner, gapRefreshInterval, rememberConfirmations, file.orElse(null));
    }

    public IndexOptions withScanner(InodeScanner newScanner) {
        return new IndexOptions(extras, newScanner, gapRefreshInterval, rememberConfirmations, saved);
    }

    public IndexOptions withGapRefreshInterval(Duration interval) {
        return new IndexOptions(extras, scanner, interval, rememberConfirmations, saved);
    }

    public IndexOptions withRememberedConfirmations(boolean remember) {
        return new IndexOptions(extras, scanner, gapRefreshInterval, remember, saved);
    }
}
