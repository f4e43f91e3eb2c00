package io.daxguard.agent.source.kmsg;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.SourceCounters;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel log source's part for the held filesystems' own lines: each kernel message is offered to every holder
 * ({@link FilesystemMessages}), and the failures they place on a member device are handed on as source
 * {@code kmsg-<type>}; between daxguard's repair markers ({@link RepairMarkers}) the scrub lines of the member under
 * repair are the repair's own and are passed over (other lines of it, an application's failed read, are not).
 *
 * <p>Not thread safe: the kernel log source's reading thread owns it.
 */
final class FilesystemLines {
    private static final System.Logger LOG = System.getLogger(FilesystemLines.class.getName());

    private final FilesystemMessages filesystems;
    private final DeviceResolver devices;
    private final FailureSink sink;
    private final SourceCounters counters;
    private final Clock clock;
    /** Members a repair from another copy is running on now (between its markers). */
    private final Set<DeviceNumber> repairing = new HashSet<>();

    FilesystemLines(FilesystemMessages filesystems, Path sysfs, FailureSink sink, SourceCounters counters,
                    Clock clock) {
        this.filesystems = Objects.requireNonNull(filesystems, "filesystems is null");
        this.devices = new DeviceResolver(sysfs);
        this.sink = sink;
        this.counters = counters;
        this.clock = clock;
    }

    /** Whether {@code text} is a repair marker (then taken note of; nothing else is to be done with it). */
    boolean marker(String text) {
        Optional<RepairMarkers.Marker> repair = RepairMarkers.parse(text);
        if (repair.isEmpty()) {
            return false;
        }
        if (repair.get().begins()) {
            repairing.add(repair.get().member());
        } else {
            repairing.remove(repair.get().member());
        }
        return true;
    }

    /**
     * The failures a held filesystem's own line reports (btrfs: a checksum or read error naming a device and a
     * physical offset), placed on a member device by its holder: handed on as they are, the holder having read them
     * from its own layout; the router then finds their owners as for any other source.
     */
    void offer(String text) throws InterruptedException {
        for (FilesystemMessages.Reported reported : filesystems.failuresIn(text)) {
            if (repairing.contains(reported.failure().member()) && reported.failure().foundByScrub()) {
                // What daxguard's own repair (a scrub of the range) fixed, not new damage. Only what a scrub found: an
                // application's read failing on the member meanwhile is a failure still.
                counters.increment("repairLines");
                continue;
            }
            FailureRange range = reported.failure().range();
            DeviceRef device;
            try {
                device = devices.ofNumber(reported.failure().member());
            } catch (IllegalArgumentException gone) {
                counters.increment("deviceGone");
                LOG.log(System.Logger.Level.WARNING, "the " + reported.fsType() + " failure \""
                        + reported.failure().detail() + "\" names device " + reported.failure().member()
                        + ", which is gone");
                continue;
            }
            counters.increment("filesystemFailures");
            sink.submit(new FailureTuple(device, range.offset(), range.length(), range.errno(), range.flags(),
                    KernelLogSource.filesystemSource(reported.fsType()), clock.instant()));
        }
    }
}
