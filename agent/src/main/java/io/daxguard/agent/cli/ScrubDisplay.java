package io.daxguard.agent.cli;

import io.daxguard.agent.ranges.ByteSizes;
import java.io.PrintWriter;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * A filesystem's scrub as text: state, a progress bar, bytes done of total, rate, time left, bad ranges. Reads the
 * Filesystem MBean's {@code Scrub} attribute (the agent's {@code ScrubProgress} as CompositeData: state,
 * bytesDone, bytesTotal, rateBytesPerSecond, etaSeconds, badRanges, badBytes, message, ...), which is also what
 * the scrub operations return. On a terminal, {@code scrub start|resume} redraw the line in place while it runs.
 */
final class ScrubDisplay {
    static final String SCRUB_ATTRIBUTE = "Scrub";
    private static final int WIDTH = 40;

    private ScrubDisplay() {
    }

    static CompositeData read(MBeanServerConnection agent, ObjectName filesystem) throws Exception {
        return (CompositeData) agent.getAttribute(filesystem, SCRUB_ATTRIBUTE);
    }

    /**
     * Prints {@code scrub} (what an operation returned, or the attribute); when {@code live} on a terminal, keeps
     * redrawing it from the attribute until the scrub is no longer RUNNING.
     */
    static void show(MBeanServerConnection agent, ObjectName filesystem, CompositeData scrub, PrintWriter out,
                     boolean live) throws Exception {
        boolean terminal = Terminal.console().isPresent();
        CompositeData current = scrub;
        while (live && terminal && "RUNNING".equals(current.get("state"))) {
            out.print("\r" + line(current));
            out.flush();
            Thread.sleep(500); // A display refresh, not synchronisation: every line is read from the agent.
            current = read(agent, filesystem);
        }
        out.println((live && terminal ? "\r" : "") + line(current));
    }

    /** {@code scrub FINISHED [####] 100.0%  1.5 MiB of 1.5 MiB, 0 bad range(s)}. */
    static String line(CompositeData scrub) {
        return "scrub " + describe(scrub);
    }

    /** The scrub without the word "scrub", as {@code status} shows it under a filesystem. */
    static String describe(CompositeData scrub) {
        String state = String.valueOf(scrub.get("state"));
        if (state.equals("IDLE")) {
            return "IDLE (none since the agent started)";
        }
        double fraction = fraction(scrub);
        int filled = (int) Math.round(fraction * WIDTH);
        StringBuilder text = new StringBuilder(String.format("%-9s [%s%s] %5.1f%%  %s of %s", state, "#".repeat(filled),
                ".".repeat(WIDTH - filled), fraction * 100, ByteSizes.format(number(scrub, "bytesDone")),
                ByteSizes.format(number(scrub, "bytesTotal"))));
        if (state.equals("RUNNING")) {
            text.append(", ").append(ByteSizes.format(number(scrub, "rateBytesPerSecond"))).append("/s");
            long eta = number(scrub, "etaSeconds");
            text.append(eta < 0 ? "" : ", " + eta + " s left");
        }
        long badRanges = number(scrub, "badRanges");
        text.append(", ").append(badRanges).append(" bad range(s)");
        if (badRanges > 0) {
            text.append(" (").append(ByteSizes.format(number(scrub, "badBytes"))).append(')');
        }
        String message = String.valueOf(scrub.get("message"));
        if (!message.isEmpty() && !message.equals("null")) {
            text.append(": ").append(message);
        }
        return text.toString();
    }

    /** Done over total, 0..1; a finished scrub of a filesystem with nothing written is complete. */
    static double fraction(CompositeData scrub) {
        long total = number(scrub, "bytesTotal");
        if (total <= 0) {
            return "FINISHED".equals(scrub.get("state")) ? 1 : 0;
        }
        return Math.max(0, Math.min(1, (double) number(scrub, "bytesDone") / total));
    }

    private static long number(CompositeData scrub, String key) {
        return ((Number) scrub.get(key)).longValue();
    }
}
