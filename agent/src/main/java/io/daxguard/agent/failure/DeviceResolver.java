package io.daxguard.agent.failure;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Turns what a source or an operator calls a device into a {@link DeviceRef}, once, at the edge of the pipeline:
 * one grammar ({@link DeviceRef#GRAMMAR}), one error message per kind of mistake. A name is looked up in
 * {@code <sysfs>/class/block/<name>/dev}, a number in {@code <sysfs>/dev/block/<major:minor>}, so a device attached
 * a moment ago is found without re-reading the whole topology. Thread safe (it keeps nothing).
 */
public final class DeviceResolver {
    private static final Pattern GRAMMAR = Pattern.compile(DeviceRef.GRAMMAR);
    private static final Pattern NUMBER = Pattern.compile("[0-9]+:[0-9]+");

    private final Path sysfs;

    public DeviceResolver(Path sysfs) {
        this.sysfs = sysfs;
    }

    /** Over the real {@code /sys}. */
    public static DeviceResolver system() {
        return new DeviceResolver(Path.of("/sys"));
    }

    /**
     * @param text a kernel name, {@code /dev} path or {@code major:minor}
     * @throws IllegalArgumentException {@code device: ...} naming the text, when it is not a device name or no
     *                                  block device has it
     */
    public DeviceRef resolve(String text) {
        if (text == null || !GRAMMAR.matcher(text).matches()) {
            throw new IllegalArgumentException("device: " + DeviceRef.GRAMMAR_MESSAGE + " (was "
                    + (text == null ? "null" : "\"" + text + "\"") + ")");
        }
        try {
            if (NUMBER.matcher(text).matches()) {
                DeviceNumber number = DeviceNumber.parse(text);
                Path device = sysfs.resolve("dev/block").resolve(number.toString()).toRealPath();
                return new DeviceRef(number, device.getFileName().toString());
            }
            String name = text.startsWith("/dev/") ? text.substring("/dev/".length()) : text;
            Path dev = sysfs.resolve("class/block").resolve(name).resolve("dev");
            return new DeviceRef(DeviceNumber.parse(Files.readString(dev).strip()), name);
        } catch (NoSuchFileException | IllegalArgumentException unknown) {
            throw new IllegalArgumentException("device: no block device \"" + text + "\"");
        } catch (IOException e) {
            throw new IllegalArgumentException("device: cannot read what \"" + text + "\" is in " + sysfs + ": " + e);
        }
    }
}
