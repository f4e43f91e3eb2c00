package io.daxguard.agent.topology;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which physical disk is under a block device now, as a string to compare: bad sectors belong to a disk, not to
 * a device name, so damage recorded on {@code loop3} or {@code sdb} before the disk was swapped must not be taken
 * for the new disk's. A loop device's disk is its backing file (device and inode: a new image under the same loop
 * name is another disk); a disk's is its WWID or serial number as sysfs shows it; a partition's is its disk's.
 * Empty when the kernel says nothing that identifies the disk (then only the filesystem UUID tells).
 */
public final class DiskIdentity {
    /** Where sysfs keeps a disk's stable identity, most specific first (SCSI/NVMe WWID, then serial numbers). */
    private static final List<String> IDENTITY_FILES = List.of("wwid", "device/wwid", "device/serial", "serial",
            "device/vpd_pg80");

    private final Path sysfs;

    public DiskIdentity(Path sysfs) {
        this.sysfs = sysfs;
    }

    /** The identity of the disk under {@code device}, or empty. */
    public String of(Topology topology, BlockDevice device) {
        BlockDevice disk = device.parent().flatMap(topology::byName).orElse(device);
        if (disk.loopBacking().isPresent()) {
            return ofBackingFile(disk.loopBacking().get().file());
        }
        Path entry = sysfs.resolve("class/block").resolve(disk.name());
        for (String file : IDENTITY_FILES) {
            try {
                String value = new String(Files.readAllBytes(entry.resolve(file)), StandardCharsets.ISO_8859_1).strip();
                if (!value.isEmpty()) {
                    return file + " " + value; // not the name: a disk keeps its identity when sdb becomes sdc
                }
            } catch (IOException absent) {
                // not this kind of disk: try the next
            }
        }
        return "";
    }

    /** A backing file by device and inode; one unlinked since ({@code " (deleted)"}) can no longer be told apart. */
    private static String ofBackingFile(LinuxPath file) {
        try {
            FileStatus status = FileStatus.ofPath(file);
            return "loop backing file " + status.device() + " inode " + status.inode();
        } catch (NativeCallException gone) {
            return "";
        }
    }
}
