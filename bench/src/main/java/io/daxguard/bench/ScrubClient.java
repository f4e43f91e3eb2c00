package io.daxguard.bench;

import java.io.IOException;
import java.util.Locale;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A full scrub of a running agent's filesystem through JMX, as jconsole or a vendor's tool starts one: the
 * Filesystem MBean's {@code startScrub()}, then its {@code Scrub} attribute read until the scrub is no longer RUNNING.
 * JDK classes only: {@code java bench/src/main/java/io/daxguard/bench/ScrubClient.java held URL MOUNT TIMEOUT_S} waits
 * until the agent holds MOUNT; {@code ... scrub URL MOUNT} runs one scrub and prints
 * {@code scrub_s= state= bytes_done= bytes_read= bad_ranges=} (exit 4 when it did not finish clean).
 */
public final class ScrubClient {
    /** How often the progress is read: the finish is known to within this (a benchmark's clock, not a wait). */
    private static final long POLL_MILLIS = 5;

    private ScrubClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ScrubClient held URL MOUNT TIMEOUT_S | scrub URL MOUNT");
            System.exit(2);
        }
        ObjectName filesystem = new ObjectName("io.daxguard:type=Filesystem,name=" + ObjectName.quote(args[2]));
        switch (args[0]) {
            case "held" -> held(args[1], filesystem, Long.parseLong(args[3]));
            case "scrub" -> System.exit(scrub(args[1], filesystem));
            default -> {
                System.err.println("unknown mode " + args[0]);
                System.exit(2);
            }
        }
    }

    private static void held(String url, ObjectName filesystem, long timeoutSeconds) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutSeconds * 1000;
        while (true) {
            try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
                MBeanServerConnection agent = connector.getMBeanServerConnection();
                while (!agent.isRegistered(filesystem)) {
                    failAfter(deadline, "the agent holds no " + filesystem);
                    Thread.sleep(20); // polling an agent that is starting: there is nothing to wait on
                }
                return;
            } catch (IOException notYet) {
                failAfter(deadline, "no agent at " + url + ": " + notYet);
                Thread.sleep(20);
            }
        }
    }

    private static int scrub(String url, ObjectName filesystem) throws Exception {
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            MBeanServerConnection agent = connector.getMBeanServerConnection();
            long start = System.nanoTime();
            CompositeData progress = (CompositeData) agent.invoke(filesystem, "startScrub", new Object[0], new String[0]);
            while ("RUNNING".equals(progress.get("state"))) {
                Thread.sleep(POLL_MILLIS);
                progress = (CompositeData) agent.getAttribute(filesystem, "Scrub");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "scrub_s=%.3f state=%s bytes_done=%d bytes_read=%d bad_ranges=%d%n", seconds,
                    progress.get("state"), (Long) progress.get("bytesDone"), (Long) progress.get("bytesRead"),
                    (Long) progress.get("badRanges"));
            boolean clean = "FINISHED".equals(progress.get("state")) && (Long) progress.get("badRanges") == 0;
            if (!clean) {
                System.out.println("message=" + progress.get("message"));
            }
            return clean ? 0 : 4;
        }
    }

    private static void failAfter(long deadline, String why) {
        if (System.currentTimeMillis() > deadline) {
            System.err.println(why);
            System.exit(3);
        }
    }
}
