package io.daxguard.agent.source.probe;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Confirms a suspect range, what the kernel says failed (a logged request's start, a traced request), by re-reading
 * it: the range is widened to whole logical blocks of the device (a 4Kn disk refuses anything finer), cut to the
 * device's end and to {@link #MAX_WINDOW}, and bisected by {@link MediaProbe} down to the logical blocks that fail
 * again. The kernel log and the trace source share one.
 *
 * <p>The probe's own reads fail too, and the kernel reports them like any other failure. The trace source tells
 * them apart by time: {@link #isOwnRead} answers whether a failure of a range lies inside a window this probe was
 * reading at that moment (by {@link System#nanoTime()}, the clock the trace instance stamps events with). The kernel
 * log source uses markers in the log instead (it has no usable clock).
 *
 * <p>Thread safe: the kernel log and the trace source share one, so the trace tells the kernel log source's re-reads
 * from new failures; each probe opens its own descriptor and buffer.
 */
public final class SuspectProbe {
    /** The largest window re-read for one suspect: what a disk's largest request can be. */
    public static final long MAX_WINDOW = 4L << 20;
    /** Probes remembered for {@link #isOwnRead}: enough for a reader that fell behind by a storm's worth. */
    private static final int REMEMBERED = 4096;

    private final Path sysfs;
    private final Path devices;
    private final Deque<ProbedWindow> recent = new ArrayDeque<>();

    /**
     * @param sysfs   where sysfs is (device sizes, logical block sizes)
     * @param devices where device nodes are ({@code /dev})
     */
    public SuspectProbe(Path sysfs, Path devices) {
        this.sysfs = sysfs;
        this.devices = devices;
    }

    /** What a probe read and found bad; {@code probed} empty when the suspect lies past the device's end. */
    public record Outcome(Optional<ByteRange> probed, List<ByteRange> bad) {
        public Outcome {
            bad = List.copyOf(bad);
        }
    }

    /**
     * Re-reads {@code window} bytes of {@code device} from {@code offset}.
     *
     * @throws IOException when the device cannot be read back (gone, refused): the caller keeps the suspect
     *                     unconfirmed rather than losing it
     */
    public Outcome probe(DeviceRef device, long offset, long window) throws IOException {
        long size = deviceSize(device.name());
        if (offset >= size) {
            return new Outcome(Optional.empty(), List.of());
        }
        DirectIoAlignment alignment = DirectIoAlignment.ofDevice(sysfs, device.name());
        long wanted = Math.min(window, size - offset);
        int bufferSize = (int) alignment.ceil(Math.min(MAX_WINDOW, wanted));
        try (MediaProbe probe = new MediaProbe(devices.resolve(device.name()), size, alignment, bufferSize)) {
            Optional<ByteRange> aligned = probe.window(offset, wanted);
            if (aligned.isEmpty()) {
                return new Outcome(Optional.empty(), List.of());
            }
            // Known as own from before the first read: a trace reader may see the first failure while this runs.
            ProbedWindow reading = remember(device.number(), aligned.get());
            try {
                return new Outcome(aligned, probe.findBad(aligned.get().offset(), aligned.get().length()));
            } finally {
                reading.end();
            }
        }
    }

    /** Bytes of the device, from sysfs (512-byte sectors there whatever the logical block size). */
    public long deviceSize(String device) throws IOException {
        return Long.parseLong(Files.readString(sysfs.resolve("class/block").resolve(device).resolve("size")).strip())
                * ByteRange.SECTOR;
    }

    /**
     * Whether a failure of {@code [offset, offset + length)} on {@code device} at {@code atNanos} was this probe's
     * own read: the range lies inside a window it was reading then.
     */
    public synchronized boolean isOwnRead(DeviceNumber device, long offset, long length, long atNanos) {
        for (ProbedWindow window : recent) {
            if (window.device.equals(device) && offset >= window.range.offset() && offset + length <= window.range.end()
                    && atNanos >= window.startedNanos && atNanos <= window.endedNanos) {
                return true;
            }
        }
        return false;
    }

    private synchronized ProbedWindow remember(DeviceNumber device, ByteRange range) {
        if (recent.size() == REMEMBERED) {
            recent.removeFirst();
        }
        ProbedWindow window = new ProbedWindow(device, range, System.nanoTime());
        recent.addLast(window);
        return window;
    }

    /** A window being read since {@code startedNanos}, until {@link #end} (until then, open-ended). */
    private static final class ProbedWindow {
        final DeviceNumber device;
        final ByteRange range;
        final long startedNanos;
        volatile long endedNanos = Long.MAX_VALUE;

        ProbedWindow(DeviceNumber device, ByteRange range, long startedNanos) {
            this.device = device;
            this.range = range;
            this.startedNanos = startedNanos;
        }

        void end() {
            endedNanos = System.nanoTime();
        }
    }
}
