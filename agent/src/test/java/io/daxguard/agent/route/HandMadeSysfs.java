package io.daxguard.agent.route;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Block devices in a hand-made sysfs tree, laid out as the kernel lays out a virtual disk's and as
 * {@code TopologyReader} reads them: {@code devices/virtual/block/<name>} with its {@code dev} and {@code size}, and
 * {@code class/block/<name>} a link to it. The routing tests hold hand-made filesystems on such disks.
 */
final class HandMadeSysfs {
    private HandMadeSysfs() {
    }

    /** Adds the disk {@code name}, number {@code number}, of {@code bytes} bytes, below {@code sysfs}. */
    static void blockDevice(Path sysfs, String name, DeviceNumber number, long bytes) throws IOException {
        Path device = Files.createDirectories(sysfs.resolve("devices/virtual/block").resolve(name));
        Files.writeString(device.resolve("dev"), number + "\n");
        Files.writeString(device.resolve("size"), bytes / 512 + "\n");
        Files.createSymbolicLink(Files.createDirectories(sysfs.resolve("class/block")).resolve(name), device);
    }
}
