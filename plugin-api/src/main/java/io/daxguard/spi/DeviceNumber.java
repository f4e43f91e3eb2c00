package io.daxguard.spi;

/**
 * A block device number, {@code major:minor} as sysfs and mountinfo print it.
 */
public record DeviceNumber(int major, int minor) implements Comparable<DeviceNumber> {
    public DeviceNumber {
        if (major < 0 || major > 0xfff) {
            throw new IllegalArgumentException("major must be in 0..4095, was " + major);
        }
        if (minor < 0 || minor > 0xfffff) {
            throw new IllegalArgumentException("minor must be in 0..1048575, was " + minor);
        }
    }

    /** Parses {@code "7:3"}. */
    public static DeviceNumber parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("device number must look like major:minor, was \"" + text + "\"");
        }
        try {
            return new DeviceNumber(Integer.parseInt(text.substring(0, colon).trim()),
                    Integer.parseInt(text.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device number must look like major:minor, was \"" + text + "\"", e);
        }
    }

    /**
     * The kernel's {@code new_encode_dev}: the 32-bit form GETFSMAP uses as its device cookie
     * ({@code fmr_device}) and {@code stat} returns on x86-64.
     */
    public int encoded() {
        return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
    }


    @Override
    public int compareTo(DeviceNumber other) {
        int byMajor = Integer.compare(major, other.major);
        return byMajor != 0 ? byMajor : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + ":" + minor;
    }
}
