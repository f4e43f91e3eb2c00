package io.daxguard.support.index;

import io.daxguard.support.linux.FilesystemChanges;

/** The filesystem's changes as the index thread reads them ({@link ConfirmedFacts}, for {@link IndexBuildThread}). */
interface IndexChanges {
    /**
     * The change counts now and the files changed since the last call ({@link FilesystemChanges#takeChangedFiles});
     * null when changes are not counted.
     */
    FilesystemChanges.ChangedFiles take();

    /** How many files changed since the last {@link #take}, -1 when not known; reads nothing. */
    int pending();
}
