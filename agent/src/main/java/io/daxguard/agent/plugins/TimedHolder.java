package io.daxguard.agent.plugins;

import com.codahale.metrics.Timer;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MemberFailure;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PathNames;
import io.daxguard.spi.Redundancy;
import io.daxguard.spi.RepairOutcome;
import io.daxguard.spi.ReverseMapStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A holder whose reverse-map lookups ({@link #notifyFailure}, {@link #notifyFailures}) are timed; everything
 * else passes through. Every method of {@link Holder} must be passed through here, defaults included, or the
 * plugin's own implementation is lost behind this wrapper.
 */
public final class TimedHolder implements Holder {
    private final Holder holder;
    private final Timer lookups;

    public TimedHolder(Holder holder, Timer lookups) {
        this.holder = Objects.requireNonNull(holder, "holder is null");
        this.lookups = Objects.requireNonNull(lookups, "lookups is null");
    }

    @Override
    public Mount mount() {
        return holder.mount();
    }

    @Override
    public FilesystemInfo info() {
        return holder.info();
    }

    @Override
    public List<Owner> notifyFailure(FailureRange range) throws IOException {
        try (Timer.Context ignored = lookups.time()) {
            return holder.notifyFailure(range);
        }
    }

    /** A batch is timed as one lookup: the holder answers it in one go (XFS: one descriptor, shared inode lookups). */
    @Override
    public List<List<Owner>> notifyFailures(List<FailureRange> ranges) throws IOException {
        try (Timer.Context ignored = lookups.time()) {
            return holder.notifyFailures(ranges);
        }
    }

    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        holder.forEachWrittenExtent(from, to, consumer);
    }

    @Override
    public List<DeviceNumber> memberDevices() throws IOException {
        return holder.memberDevices();
    }

    @Override
    public List<Owner> notifyFailure(DeviceNumber member, FailureRange range) throws IOException {
        try (Timer.Context ignored = lookups.time()) {
            return holder.notifyFailure(member, range);
        }
    }

    @Override
    public void forEachWrittenExtent(DeviceNumber member, long from, long to, ExtentConsumer consumer)
            throws IOException {
        holder.forEachWrittenExtent(member, from, to, consumer);
    }

    @Override
    public Redundancy redundancy(DeviceNumber member, FailureRange range) throws IOException {
        return holder.redundancy(member, range);
    }

    @Override
    public RepairOutcome repairFromCopies(DeviceNumber member, FailureRange range) throws IOException {
        return holder.repairFromCopies(member, range);
    }

    @Override
    public List<MemberFailure> failuresIn(String kernelMessage) throws IOException {
        return holder.failuresIn(kernelMessage);
    }

    @Override
    public Optional<ReverseMapStatus> reverseMapStatus() {
        return holder.reverseMapStatus();
    }

    @Override
    public boolean awaitReverseMap(Duration timeout) throws InterruptedException {
        return holder.awaitReverseMap(timeout);
    }

    @Override
    public Optional<PathNames> pathNames() {
        return holder.pathNames();
    }

    @Override
    public Optional<String> offlineBadBlockList(List<FailureRange> damaged) {
        return holder.offlineBadBlockList(damaged);
    }

    @Override
    public String repairHint(io.daxguard.spi.MetadataOwner damaged) {
        return holder.repairHint(damaged);
    }

    @Override
    public void close() throws IOException {
        holder.close();
    }
}
