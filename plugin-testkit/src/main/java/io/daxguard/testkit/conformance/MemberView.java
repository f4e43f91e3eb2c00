package io.daxguard.testkit.conformance;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Holder;
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
}
