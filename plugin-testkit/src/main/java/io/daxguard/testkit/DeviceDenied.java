package io.daxguard.testkit;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs code that cannot open one block device, the way the kernel refuses it to a process in a container or under
 * a device policy: {@code open} of the device node fails with {@code EPERM} for any user, root included, while
 * the filesystem on it stays mounted and usable. Made with a cgroup-v1 {@code devices} group of its own that
 * denies the device, which the calling thread joins for the duration of the call (a v1 group takes single
 * threads; threads started meanwhile inherit it and are moved back too).
 *
 * <p>Needs root and the v1 {@code devices} controller at {@value #DEVICES}: under {@code CI=true} its absence
 * fails the test (see {@link Privileges}). Touches only the group it made, and the threads it moved into it.
 */
public final class DeviceDenied {
    static final String DEVICES = "/sys/fs/cgroup/devices";

    private DeviceDenied() {
    }

    /** Calls {@code action} on this thread, which meanwhile cannot open the block device {@code device}. */
    public static <T> T call(DeviceNumber device, Callable<T> action) throws Exception {
        Path devices = Path.of(DEVICES);
        if (!Files.isWritable(devices.resolve("devices.deny"))) {
            Privileges.require(List.of("the cgroup-v1 devices controller, writable at " + DEVICES));
        }
        Path former = devices.resolve(ownGroup());
        Path group = Files.createDirectory(devices.resolve("daxguard-test-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime()));
        try {
            Files.writeString(group.resolve("devices.deny"), "b " + device + " rwm\n");
            Files.writeString(group.resolve("tasks"), thread() + "\n");
            return action.call();
        } finally {
            // Every thread in the group is this one or one it started: all go back where this one was, again
            // until none is left, since one being moved may still start another.
            List<String> tasks;
            while (!(tasks = Files.readAllLines(group.resolve("tasks"))).isEmpty()) {
                for (String task : tasks) {
                    try {
                        Files.writeString(former.resolve("tasks"), task.strip() + "\n");
                    } catch (IOException exited) {
                        // ESRCH: the thread ended since the listing, and left the group by itself.
                    }
                }
            }
            Files.delete(group);
        }
    }

    /** This thread's id, as {@code /proc/thread-self} ({@code <pid>/task/<tid>}) names it. */
    private static String thread() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    /** This thread's group in the devices hierarchy, relative to its root. */
    private static String ownGroup() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/cgroup"))) {
            String[] fields = line.split(":", 3);
            if (fields.length == 3 && List.of(fields[1].split(",")).contains("devices")) {
                return fields[2].replaceFirst("^/+", "");
            }
        }
        throw new IOException("/proc/thread-self/cgroup names no devices group");
    }
}
