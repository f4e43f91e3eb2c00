package io.daxguard.agent.jmx;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.Holder;
import io.daxguard.spi.ReverseMapStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Filesystem MBean's view of a holder's own reverse map (issue 3), through the SPI's generic methods only:
 * the agent never names a plugin class. Kept apart from {@link FilesystemBean} so the bean stays small.
 */
final class IndexStatusView {
    private static final System.Logger LOG = System.getLogger(IndexStatusView.class.getName());
    /**
     * The longest one {@code awaitReverseMap} waits. It is an INFO operation (monitors wait for the index after a
     * boot too), so it is capped instead: a JMX connection thread is parked for at most this long per call, and a
     * caller that wants to wait longer asks again.
     */
    static final int MAX_AWAIT_SECONDS = 60;

    private IndexStatusView() {
    }

    static String reverseMapStatus(AttachedFilesystem filesystem) {
        if (filesystem.holder().isEmpty()) {
            return "not held";
        }
        return filesystem.holder().get().reverseMapStatus().map(ReverseMapStatus::describe).orElse("none needed");
    }

    /** Index builds by cause ({@link ReverseMapStatus#rebuilds}); empty when no index is kept or none is held. */
    static Map<String, Long> rebuilds(AttachedFilesystem filesystem) {
        return filesystem.holder().flatMap(Holder::reverseMapStatus).map(ReverseMapStatus::rebuilds).orElse(Map.of());
    }

    /**
     * The {@code status} line of a filesystem's index, {@code "ready: 977 files, 990 extents (...); builds: first
     * 1, changed 0, ..."}; empty when the filesystem keeps its own reverse map.
     */
    static Optional<String> statusLine(AttachedFilesystem filesystem) {
        return filesystem.holder().flatMap(Holder::reverseMapStatus).map(status -> status.describe()
                + (status.rebuilds().isEmpty() ? "" : "; builds: " + status.describeRebuilds()));
    }

    static boolean awaitReverseMap(AttachedFilesystem filesystem, int timeoutSeconds) {
        if (timeoutSeconds < 1 || timeoutSeconds > MAX_AWAIT_SECONDS) {
            throw new IllegalArgumentException("timeoutSeconds must be in 1.." + MAX_AWAIT_SECONDS + ", was "
                    + timeoutSeconds + " (to wait longer, call again while it answers false)");
        }
        if (filesystem.holder().isEmpty()) {
            return false;
        }
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            Holder holder = filesystem.holder().get();
            if (!holder.awaitReverseMap(Duration.ofSeconds(timeoutSeconds))) {
                return false;
            }
            // A holder that keeps no names (XFS with rmapbt) is ready to answer cold once the background walk has
            // gathered them (BackgroundNames): before that, the first question would walk the tree itself.
            return holder.pathNames().isPresent()
                    || filesystem.paths().awaitWalks(1, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the reverse map of "
                    + filesystem.mount().mountPoint());
        }
    }

    /**
     * The holder's bad-block list for the open damage on the filesystem's device. Records are relative to the
     * device the filesystem is on (the partition when one holds it), which is where the filesystem starts, so
     * their ranges are filesystem-relative; the parts past the filesystem's end are left out.
     */
    static String badBlockList(AttachedFilesystem filesystem, List<DamageRecord> records) {
        if (filesystem.holder().isEmpty()) {
            return "";
        }
        Holder holder = filesystem.holder().get();
        long size = holder.info().size();
        List<FailureRange> damaged = new ArrayList<>();
        for (DamageRecord record : records) {
            if (record.state() == DamageState.OPEN && record.device().equals(filesystem.mount().device())
                    && record.offset() < size) {
                damaged.add(FailureRange.of(record.offset(), Math.min(record.end(), size) - record.offset()));
            }
        }
        Optional<String> list;
        try {
            list = holder.offlineBadBlockList(damaged);
        } catch (RuntimeException e) {
            throw new IllegalStateException("no bad-block list for " + filesystem.mount().mountPoint() + ": "
                    + e.getMessage());
        }
        if (list.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "badBlockList: " + filesystem.mount().fsType() + " at "
                    + filesystem.mount().mountPoint() + " has no offline bad-block list; its repair tool takes none");
            return "";
        }
        return list.get();
    }
}
