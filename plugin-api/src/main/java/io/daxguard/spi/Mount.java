package io.daxguard.spi;

import java.util.Objects;

/**
 * One line of {@code /proc/self/mountinfo}: a filesystem mounted on a block device.
 *
 * @param mountId    the kernel's mount id (first field of mountinfo)
 * @param device     the block device holding the filesystem
 * @param root       the directory of the filesystem this mount shows, in display form ({@link LinuxPath});
 *                   {@code "/"} unless a bind mount
 * @param mountPoint where it is mounted, absolute, as the kernel has it (bytes: it is opened, and need not be
 *                   UTF-8)
 * @param fsType     the filesystem type, for example {@code "xfs"}
 * @param source     the mount source in display form, for example {@code "/dev/loop3"}
 * @param options    the per-mount and per-superblock options, comma separated
 */
public record Mount(int mountId, DeviceNumber device, String root, LinuxPath mountPoint, String fsType,
                    String source, String options) {
    public Mount {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(root, "root is null");
        Objects.requireNonNull(mountPoint, "mountPoint is null");
        Objects.requireNonNull(fsType, "fsType is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(options, "options is null");
        if (!mountPoint.isAbsolute()) {
            throw new IllegalArgumentException("mountPoint must be absolute, was " + mountPoint);
        }
    }

    /** Whether this mount shows the whole filesystem (not a bind mount of a subdirectory). */
    public boolean showsWholeFilesystem() {
        return root.equals("/");
    }

}
