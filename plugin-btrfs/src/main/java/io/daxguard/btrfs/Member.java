package io.daxguard.btrfs;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A device of the filesystem: its btrfs device id, the path btrfs opened it by (as its messages name it: {@code on
 * dev /dev/mapper/vg-data}), its device number, the kernel's name of it (as the prefix of its messages names it:
 * {@code (device dm-3)}) and the bytes of it btrfs uses.
 */
record Member(long devid, LinuxPath path, DeviceNumber device, String kernelName, long totalBytes) {

    /** A member whose kernel name is read from sysfs ({@code /sys/dev/block/MAJ:MIN} links to it). */
    static Member of(long devid, LinuxPath path, DeviceNumber device, long totalBytes) {
        String name;
        try {
            name = Files.readSymbolicLink(Path.of("/sys/dev/block/" + device)).getFileName().toString();
        } catch (IOException | UnsupportedOperationException noSysfs) {
            name = path.fileName().display(); // /dev/loop3 is loop3; a symlink such as /dev/mapper/x is not
        }
        return new Member(devid, path, device, name, totalBytes);
    }

    /** Whether a kernel message's device name ({@code loop3}, {@code dm-3}, {@code /dev/loop3}) is this one. */
    boolean isNamed(String name) {
        return kernelName.equals(name) || path.display().equals(name) || path.fileName().display().equals(name);
    }
}
