package io.daxguard.testkit.conformance;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * One member device as the checks see it: a holder answering in that device's offsets, the suite's files placed on
 * it, and its size. For a filesystem on one device the holder is the real one (so its plain and batch calls are what
 * is checked); for each member of a filesystem over several, a view asking the member calls
 * ({@code notifyFailure(member, range)}, {@code forEachWrittenExtent(member, ...)}).
 *
 * @param device the member device
 * @param holder answers for offsets on {@code device}
 * @param files  the suite's files, their extents placed on {@code device} (none: nothing of them is there)
 * @param size   the device's size in bytes
 */
record MemberView(DeviceNumber device, Holder holder, List<WrittenFile> files, long size) {

    /** The member calls of {@code holder} for {@code member}, as a holder of that device alone. */
    static Holder memberCalls(Holder holder, DeviceNumber member) {
        return new Holder() {
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
                // the suite closes the real holder
            }

            @Override
            public String toString() {
                return holder + " on member " + member;
            }
        };
    }
}
