package io.daxguard.agent.route;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureTuple;

import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stacked devices: when a damaged file is a loop device's backing file, the damaged file range is the loop
 * device's range {@code [fileOffset - loop/offset, ...)}, cut to the loop device, and is routed again, so
 * damage on the outer disk names the files inside the inner filesystem.
 *
 * <p>The backing file is matched by identity (device and inode of {@code loop/backing_file}, by statx), not by
 * path, so a bind mount or a second name of the image still matches.
 */
public final class LoopStacking {
    private LoopStacking() {
    }

    /**
     * The tuples on loop devices that a damaged file range stands for.
     *
     * @param filesystemDevice the device of the filesystem holding the file (its {@code st_dev})
     * @param owner            the damaged range of the file
     * @param cause            the tuple that found it (errno, flags, source, time are carried over)
     */
    public static List<FailureTuple> innerTuples(Topology topology, DeviceNumber filesystemDevice, FileOwner owner,
                                                 FailureTuple cause) {
        List<FailureTuple> inner = new ArrayList<>();
        if (owner.fork() != Fork.DATA || owner.unwritten()) {
            return inner;
        }
        for (BlockDevice device : topology.devices()) {
            if (device.loopBacking().isEmpty() || device.size() == 0) {
                continue;
            }
            BlockDevice.LoopBacking backing = device.loopBacking().get();
            Optional<FileStatus> status = statusOf(backing.file());
            if (status.isEmpty() || !status.get().device().equals(filesystemDevice)
                    || status.get().inode() != owner.inode()) {
                continue;
            }
            long from = Math.max(owner.fileOffset() - backing.offset(), 0);
            long to = Math.min(owner.fileOffset() + owner.length() - backing.offset(), device.size());
            if (from < to) {
                inner.add(cause.on(new DeviceRef(device.number(), device.name()), from, to - from));
            }
        }
        return inner;
    }

    private static Optional<FileStatus> statusOf(LinuxPath backingFile) {
        // The display form ends in " (deleted)" exactly when the bytes do: ASCII is shown as itself.
        if (backingFile.display().endsWith(" (deleted)")) {
            return Optional.empty();
        }
        try {
            return Optional.of(FileStatus.ofPath(backingFile));
        } catch (NativeCallException e) {
            return Optional.empty();
        }
    }
}
