package io.daxguard.btrfs;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;

/**
 * A device of the filesystem: its btrfs device id, the path the kernel opened it by, its device number and the
 * bytes of it btrfs uses.
 */
record Member(long devid, LinuxPath path, DeviceNumber device, long totalBytes) {
    /** The kernel's name of the device ({@code loop3} for {@code /dev/loop3}), as its log lines name it. */
    String kernelName() {
        return path.fileName().display();
    }
}
