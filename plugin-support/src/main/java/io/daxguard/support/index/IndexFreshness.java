package io.daxguard.support.index;

import java.io.IOException;

/**
 * When a {@link LiveReverseMap}'s index may answer as it is, and when a question must wait for a rebuild: the one
 * place that decides, so no query rebuilds the index of an unchanged filesystem. Each refresh is counted by its
 * {@link RebuildCause}. Stateless beyond the build thread it asks; thread-safe.
 */
final class IndexFreshness {
    private final IndexBuildThread builds;

    IndexFreshness(IndexBuildThread builds) {
        this.builds = builds;
    }

    /** Why the index is refreshed before an answer, and whether that refresh is rate-limited. */
    record Staleness(RebuildCause cause, boolean rateLimited) {
    }

    /**
     * Whether {@code index} must be refreshed before it answers {@code question}, and why; null when it answers as
     * it is. Never for an index whose build started after the question. Otherwise:
     * <ul>
     * <li>a proposal the live file rejected proves a change: refreshed at once, except that when the filesystem's
     *     change count says nothing changed since the build (a change fanotify does not see: a store through a shared
     *     mapping, a block-moving ioctl), at most once per {@link IndexOptions#gapRefreshInterval}, so a
     *     disagreement a rebuild would not mend cannot rebuild on every question;</li>
     * <li>blocks no indexed file explains, or an inode table (inline data) asked about, are trusted to the index when
     *     it is current ({@link #isCurrent}): the metadata, directory and free blocks of an unchanged filesystem are
     *     answered without a rebuild. When the count moved, or cannot be read, the index may predate a new file, and
     *     it is refreshed, rate-limited.</li>
     * </ul>
     */
    Staleness staleness(ExtentIndex index, Question question, boolean rejected, boolean needsNewFiles,
                                RebuildCause uncounted) {
        if (index.startedNanos() >= question.askedNanos()) {
            return null;
        }
        boolean current = isCurrent(index, question);
        if (rejected) {
            return new Staleness(RebuildCause.PROPOSAL_REJECTED, current);
        }
        if (!needsNewFiles || current) {
            return null;
        }
        boolean counted = question.fileChangeCount() >= 0 && builds.changesBefore(index) >= 0;
        return new Staleness(counted ? RebuildCause.FILESYSTEM_CHANGED : uncounted, true);
    }

    /**
     * Whether {@code index} knows every file and extent that existed when {@code question} was asked: its build read
     * the filesystem's change count (fanotify, {@link io.daxguard.support.linux.FilesystemChanges}) before walking, and
     * the question read no larger count. Why that can be trusted: the kernel queues a change's event when the change
     * (write, truncate, fallocate, clone, create, link, rename, unlink) completes, so every change that completed
     * before the build's read is in its count and was on the filesystem when the walk looked, and the build synced
     * the filesystem after that read, so blocks still awaiting delayed allocation were allocated before the walk
     * (writeback itself sends no event). A change completing after the read moves the count, and the question sees
     * it. Changes of the mount table are left out (they move no file's blocks; names are checked live anyway). An index
     * loaded from elsewhere, or a filesystem whose changes cannot be counted, is never current. Not
     * seen, as for {@link ConfirmedFacts}: stores through a shared mapping that allocate a hole or delayed block
     * after the build (until the mapping's writable file is closed); such a block is answered as unknown. Dedupe
     * (no event) only moves a file onto blocks the index already names, so it leaves no block unexplained.
     */
    boolean isCurrent(ExtentIndex index, Question question) {
        long built = builds.changesBefore(index);
        return built >= 0 && question.fileChangeCount() >= 0 && question.fileChangeCount() <= built;
    }

    /**
     * Whether {@code index}'s names can be given out as the walk read them, without a {@code statx} each: it is
     * current ({@link #isCurrent}: no file made, removed, linked or renamed since its walk began, or since the
     * incremental refresh that listed the changed directories again) and the mounts at or
     * below the root are those before its walk ({@code mountsNow}, null when unknown; a filesystem mounted over one of
     * its directories since would change where a name leads). The walk read every name from the live directories after
     * the last change, so each leads to its inode and no link is missing, which is all a check would find.
     */
    boolean namesCurrent(ExtentIndex index, Question question, java.util.Set<Integer> mountsNow) {
        java.util.Set<Integer> before = builds.mountsBefore(index);
        return before != null && mountsNow != null && isCurrent(index, question) && before.equals(mountsNow);
    }

    /**
     * The index refreshed since the question for {@code stale}, or null when the rate limit refuses a refresh (never
     * one that looks incremental: {@link IndexBuildThread#mayRefreshForGaps}). The refresh is incremental when the
     * changed files are known ({@link IncrementalRefresh}); either way it answers for the change count taken before
     * it, so {@link #isCurrent} holds after it as after a full build.
     */
    ExtentIndex refreshed(Question question, Staleness stale) throws IOException {
        long asked = question.askedNanos();
        if (stale.rateLimited() && !builds.mayRefreshForGaps(asked)) {
            return null;
        }
        try {
            return builds.refreshedSince(asked, stale.cause());
        } catch (IOException e) {
            if (e.getCause() instanceof HeldDevice.RootNotHeldException) {
                return null; // refused: the index stays as it is, the reason in the answer (HeldDevice#refusal)
            }
            throw e;
        }
    }
}
