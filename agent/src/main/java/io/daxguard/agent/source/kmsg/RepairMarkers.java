package io.daxguard.agent.source.kmsg;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lines daxguard writes to the kernel log around a repair from another copy ({@code Holder.repairFromCopies}):
 * {@code daxguard: repair begin on 7:1} and {@code daxguard: repair end on 7:1}. The filesystem logs what its own
 * repair fixed (btrfs: {@code scrub: fixed up error at logical ... on dev ...}); between the two markers those lines
 * of the member under repair are the repair's own, not new damage, and the kernel log source passes them over
 * (counter {@code repairLines}). A marker that cannot be written is logged; the repair goes on, and its lines are
 * then recorded as any others.
 */
public final class RepairMarkers {
    private static final System.Logger LOG = System.getLogger(RepairMarkers.class.getName());
    static final String PREFIX = "daxguard: repair ";
    private static final Pattern MARKER = Pattern.compile(Pattern.quote(PREFIX) + "(begin|end) on (\\d+):(\\d+)");

    private RepairMarkers() {
    }

    /** A marker read back: whether a repair of {@code member} begins or ends. */
    record Marker(boolean begins, DeviceNumber member) {
    }

    /** Writes the marker that a repair of {@code member} begins ({@code begins}) or ended, to {@code kmsg}. */
    public static void write(Path kmsg, boolean begins, DeviceNumber member) {
        try {
            Files.writeString(kmsg, text(begins, member) + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write a repair marker to " + kmsg + " (" + e.getMessage()
                    + "): the filesystem's lines of this repair may be recorded as new damage");
        }
    }

    static String text(boolean begins, DeviceNumber member) {
        return PREFIX + (begins ? "begin" : "end") + " on " + member;
    }

    static Optional<Marker> parse(String text) {
        Matcher marker = MARKER.matcher(text);
        if (!marker.lookingAt()) {
            return Optional.empty();
        }
        return Optional.of(new Marker(marker.group(1).equals("begin"), new DeviceNumber(
                Integer.parseInt(marker.group(2)), Integer.parseInt(marker.group(3)))));
    }
}
