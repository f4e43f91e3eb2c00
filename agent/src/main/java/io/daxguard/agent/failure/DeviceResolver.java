package io.daxguard.agent.failure;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Turns what a source or an operator calls a device into a {@link DeviceRef}, once, at the edge of the pipeline:
 * one grammar ({@link DeviceRef#GRAMMAR}) and one message per kind of mistake, each naming the text.
 * <ul>
 *   <li>a kernel name ({@code loop3}, {@code cciss!c0d0}) is looked up in {@code <sysfs>/class/block/<name>/dev};</li>
 *   <li>{@code major:minor} in {@code <sysfs>/dev/block/<major:minor>}, which leads to the device's name;</li>
 *   <li>a path under {@code /dev} ({@code /dev/sdb}, {@code /dev/disk/by-id/...}, {@code /dev/mapper/...},
 *       {@code /dev/block/8:16}) by what it is: it must be a block device node, and its device number
 *       ({@code st_rdev}) is the device.</li>
 * </ul>
 * A device attached a moment ago is found without re-reading the whole topology. Thread safe (it keeps nothing).
 */
public final class DeviceResolver {
    private static final Pattern GRAMMAR = Pattern.compile(DeviceRef.GRAMMAR);
    private static final Pattern NUMBER = Pattern.compile("[0-9]+:[0-9]+");
    /** A name sysfs lists: one path segment (sysfs writes a kernel name's '/' as '!'). */
    private static final Pattern SYSFS_NAME = Pattern.compile("[^/\\x00\\s]+");

    private final Path sysfs;

    public DeviceResolver(Path sysfs) {
        this.sysfs = sysfs;
    }

    /** Over the real {@code /sys}. */
    public static DeviceResolver system() {
        return new DeviceResolver(Path.of("/sys"));
    }

    /**
     * What an operator or vendor software typed.
     *
     * @param text a kernel name, a path under {@code /dev} or {@code major:minor}
     * @throws IllegalArgumentException {@code device: ...} naming the text, when it is not a device name or no
     *                                  block device has it
     */
    public DeviceRef resolve(String text) {
        if (text == null || !GRAMMAR.matcher(text).matches()) {
            throw new IllegalArgumentException("device: " + DeviceRef.GRAMMAR_MESSAGE + " (was "
                    + (text == null ? "null" : "\"" + text + "\"") + ")");
        }
        if (NUMBER.matcher(text).matches()) {
            return byNumber(text);
        }
        if (text.startsWith("/dev/")) {
            return byNode(text);
        }
        return ofKernelName(text);
    }

    /**
     * A name the kernel gave (a line of {@code /dev/kmsg}, a directory of {@code <sysfs>/block}): taken as the
     * kernel wrote it, whatever characters it has. A {@code /} in it is looked up as {@code !}, as sysfs names
     * {@code cciss/c0d0} {@code cciss!c0d0}.
     *
     * @throws IllegalArgumentException when no block device has that name (any more)
     */
    public DeviceRef ofKernelName(String name) {
        String inSysfs = name == null ? null : name.replace('/', '!');
        if (inSysfs == null || !SYSFS_NAME.matcher(inSysfs).matches() || inSysfs.equals(".")
                || inSysfs.equals("..")) {
            throw new IllegalArgumentException("device: not a kernel device name (was "
                    + (name == null ? "null" : "\"" + name + "\"") + ")");
        }
        Path dev = sysfs.resolve("class/block").resolve(inSysfs).resolve("dev");
        return new DeviceRef(numberIn(dev, name), inSysfs);
    }

    /**
     * The device's size in bytes now ({@code <sysfs>/class/block/<name>/size}, in 512-byte sectors whatever the
     * device's block size), so a batch of reports can be checked whole before any of it is routed.
     *
     * @throws IllegalArgumentException when the device is gone or sysfs does not say
     */
    public long bytes(DeviceRef device) {
        Path size = sysfs.resolve("class/block").resolve(device.name()).resolve("size");
        try {
            return Math.multiplyExact(Long.parseLong(Files.readString(size).strip()), 512L);
        } catch (IOException | NumberFormatException | ArithmeticException unreadable) {
            throw new IllegalArgumentException("device: the size of \"" + device.name() + "\" cannot be read from "
                    + size + ": " + unreadable.getMessage());
        }
    }

    private DeviceRef byNumber(String text) {
        try {
            return ofNumber(DeviceNumber.parse(text));
        } catch (IllegalArgumentException outOfRange) {
            throw noSuchDevice(text);
        }
    }

    /**
     * A device known by its number (a trace event, a {@code st_rdev}), named as sysfs names it.
     *
     * @throws IllegalArgumentException when no block device has that number (any more)
     */
    public DeviceRef ofNumber(DeviceNumber number) {
        try {
            Path device = sysfs.resolve("dev/block").resolve(number.toString()).toRealPath();
            return new DeviceRef(number, device.getFileName().toString());
        } catch (IOException unknown) {
            throw noSuchDevice(number.toString());
        }
    }

    private DeviceRef byNode(String text) {
        FileStatus node;
        try {
            node = FileStatus.ofPath(Path.of(text));
        } catch (NativeCallException | RuntimeException missing) {
            throw noSuchDevice(text);
        }
        if (!node.isBlockDevice()) {
            throw new IllegalArgumentException("device: \"" + text + "\" is not a block device");
        }
        try {
            return ofNumber(node.rdev());
        } catch (IllegalArgumentException gone) {
            throw noSuchDevice(text);
        }
    }

    private DeviceNumber numberIn(Path dev, String text) {
        String content;
        try {
            content = Files.readString(dev).strip();
        } catch (NoSuchFileException unknown) {
            throw noSuchDevice(text);
        } catch (IOException e) {
            // "File name too long" and the like: the name cannot be a device's.
            throw noSuchDevice(text);
        }
        try {
            return DeviceNumber.parse(content);
        } catch (IllegalArgumentException garbled) {
            throw new IllegalArgumentException("device: sysfs gives \"" + text + "\" the number \"" + content
                    + "\", which is not major:minor");
        }
    }

    private static IllegalArgumentException noSuchDevice(String text) {
        return new IllegalArgumentException("device: no block device \"" + text + "\"");
    }
}
