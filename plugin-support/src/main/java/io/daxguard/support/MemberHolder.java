package io.daxguard.support;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PathNames;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One member device of a filesystem over several devices seen as a holder of that device alone: its
 * {@link #notifyFailure(FailureRange)} and {@link #forEachWrittenExtent(long, long, ExtentConsumer)} take offsets
 * relative to the member and ask the filesystem's holder with the member named. So what pages, batches and bounds the
 * questions of one device (owner listing, scrub; the agent's, and the conformance suite's checks) serves a member
 * unchanged. Closing it does nothing: whoever made the filesystem's holder closes that, once.
 */
public final class MemberHolder implements Holder {
    private final Holder holder;
    private final DeviceNumber member;

    private MemberHolder(Holder holder, DeviceNumber member) {
        this.holder = Objects.requireNonNull(holder, "holder is null");
        this.member = Objects.requireNonNull(member, "member is null");
    }

    /** {@code holder} itself for its mount's own device, else the view of {@code member}. */
    public static Holder of(Holder holder, DeviceNumber member) {
        return member.equals(holder.mount().device()) ? holder : new MemberHolder(holder, member);
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
        return holder.notifyFailure(member, range);
    }

    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        holder.forEachWrittenExtent(member, from, to, consumer);
    }

    @Override
    public Optional<PathNames> pathNames() {
        return holder.pathNames();
    }

    @Override
    public List<DeviceNumber> memberDevices() throws IOException {
        return holder.memberDevices();
    }

    @Override
    public boolean awaitReverseMap(Duration timeout) throws InterruptedException {
        return holder.awaitReverseMap(timeout);
    }

    @Override
    public String repairHint(MetadataOwner damaged) {
        return holder.repairHint(damaged);
    }

    @Override
    public void close() {
        // The filesystem's holder is closed by whoever made it, once.
    }

    @Override
    public String toString() {
        return holder + " on member " + member;
    }
}
