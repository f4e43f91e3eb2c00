package io.daxguard.agent.ranges;

/** How daxguard writes a number of bytes for people, everywhere: {@code 512 B}, {@code 4 KiB}, {@code 1.5 MiB}. */
public final class ByteSizes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSizes() {
    }

    /** Binary units; a whole number of a unit without decimals, otherwise one decimal. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, value == Math.floor(value) ? "%.0f %s" : "%.1f %s", value,
                UNITS[unit]);
    }
}
