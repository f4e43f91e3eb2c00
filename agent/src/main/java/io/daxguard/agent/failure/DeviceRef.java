package io.daxguard.agent.failure;

import io.daxguard.spi.DeviceNumber;
import java.util.Objects;

/**
 * A block device as the pipeline knows it, resolved once at the edge ({@link DeviceResolver}) from whatever a source
 * named it by. The number is the key (coalescing, known damage, routing): {@code loop3}, {@code /dev/loop3} and
 * {@code 7:3} are one device. The name is for people reading a message.
 *
 * @param number major:minor
 * @param name   the kernel name ({@code loop3}), as sysfs lists the device
 */
public record DeviceRef(DeviceNumber number, String name) {
    /**
     * What an operator may name a device by: a kernel name ({@code loop3}; no slash and no leading dot, so a name
     * never leaves sysfs's block directory), a path under {@code /dev} (whatever it leads to must be a block
     * device node) or {@code major:minor}.
     */
    public static final String GRAMMAR = "/dev/[^\\x00\\n]+|[A-Za-z0-9][A-Za-z0-9._+!-]*|[0-9]+:[0-9]+";
    /** What a text that does not follow {@link #GRAMMAR} is told. */
    public static final String GRAMMAR_MESSAGE =
            "must be a kernel device name (loop3), a path under /dev (/dev/sdb, /dev/disk/by-id/...) or major:minor";

    public DeviceRef {
        Objects.requireNonNull(number, "number is null");
        Objects.requireNonNull(name, "name is null");
    }

    @Override
    public String toString() {
        return name + " (" + number + ")";
    }
}
