package io.daxguard.agent.cli;

import java.io.PrintWriter;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

/**
 * Shows a filesystem's scrub state; on a terminal, while the scrub runs, a progress bar redrawn in place.
 * Reads the Filesystem MBean's {@code ScrubState} (IDLE, RUNNING, PAUSED, FINISHED, CANCELLED) and
 * {@code ScrubProgress} (0..1) attributes.
 */
final class ScrubProgress {
    private static final int WIDTH = 40;

    private ScrubProgress() {
    }

    static void follow(MBeanServerConnection agent, ObjectName filesystem, PrintWriter out, boolean live)
            throws Exception {
        boolean terminal = System.console() != null;
        while (true) {
            String state = String.valueOf(agent.getAttribute(filesystem, "ScrubState"));
            double progress = ((Number) agent.getAttribute(filesystem, "ScrubProgress")).doubleValue();
            String line = bar(state, progress);
            if (!(live && terminal && state.equals("RUNNING"))) {
                out.println((terminal ? "\r" : "") + line);
                return;
            }
            out.print("\r" + line);
            out.flush();
            Thread.sleep(500); // A display refresh, not synchronisation.
        }
    }

    static String bar(String state, double progress) {
        double clamped = Math.max(0, Math.min(1, progress));
        int filled = (int) Math.round(clamped * WIDTH);
        return String.format("scrub %-9s [%s%s] %5.1f%%", state, "#".repeat(filled), ".".repeat(WIDTH - filled),
                clamped * 100);
    }
}
