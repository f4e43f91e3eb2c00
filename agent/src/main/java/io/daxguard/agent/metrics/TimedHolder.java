package io.daxguard.agent.metrics;

import com.codahale.metrics.Timer;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.ReverseMapStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A holder whose reverse-map lookups ({@link #notifyFailure}) are timed; everything else passes through. */
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

    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        holder.forEachWrittenExtent(from, to, consumer);
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
    public Optional<String> offlineBadBlockList(List<FailureRange> damaged) {
        return holder.offlineBadBlockList(damaged);
    }

    @Override
    public void close() throws IOException {
        holder.close();
    }
}
