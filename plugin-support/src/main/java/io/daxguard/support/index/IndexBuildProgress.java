package io.daxguard.support.index;

import java.util.Objects;

/**
 * How far an index build has come; what the Filesystem MBean and the log show.
 *
 * @param state          where the build is
 * @param builds         builds completed so far (the first build and every refresh)
 * @param directories    directories read by the current (or last) build
 * @param filesMapped    files and directories mapped by the current (or last) build
 * @param extents        extents found by the current (or last) build
 * @param expectedFiles  inodes in use when the build began ({@code statfs}); the denominator of
 *                       {@link #percentDone()}
 * @param failure        why the last build failed; empty unless {@link State#FAILED}
 */
public record IndexBuildProgress(State state, long builds, long directories, long filesMapped, long extents,
                                 long expectedFiles, String failure) {
    /** The life of an index. */
    public enum State {
        /** No build has finished yet; one is running. */
        BUILDING,
        /** An index is usable (a refresh may be running). */
        READY,
        /** The build failed; queries answer UnknownOwner with {@link #failure}. */
        FAILED,
        /** The holder closed; the build thread has stopped. */
        CLOSED
    }

    public IndexBuildProgress {
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(failure, "failure is null");
    }

    static IndexBuildProgress starting() {
        return new IndexBuildProgress(State.BUILDING, 0, 0, 0, 0, 0, "");
    }

    /** Files mapped as a share of inodes in use, 0 to 100; 100 once ready. */
    public int percentDone() {
        if (state == State.READY) {
            return 100;
        }
        if (expectedFiles <= 0) {
            return 0;
        }
        return (int) Math.min(99, filesMapped * 100 / expectedFiles);
    }

    @Override
    public String toString() {
        return state + " " + percentDone() + "% (" + filesMapped + " of ~" + expectedFiles + " files, " + directories
                + " directories, " + extents + " extents, " + builds + " builds done)"
                + (failure.isEmpty() ? "" : ": " + failure);
    }
}
