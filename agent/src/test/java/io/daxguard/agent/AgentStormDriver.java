package io.daxguard.agent;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.Agent;

import io.daxguard.agent.failure.FailureTuple;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import javax.management.MBeanServerFactory;

/**
 * Run in a child JVM by {@link AgentCrashDuringStormTest}: a whole agent on a state directory, fed a storm of
 * one-sector failures (at {@code i * 4096} on DEVICE) through its failure processor; prints
 * {@code ack <offset>} when a tuple's submit future completes (its records are durable), until killed.
 */
public final class AgentStormDriver {
    private AgentStormDriver() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        String device = args[1];
        int tuples = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(System.out, false);
        Agent agent = Agent.start(AgentSettings.defaults().withMbeanServer(MBeanServerFactory.newMBeanServer()).withWatchedMountPoints(AgentFixture.SCRATCH)
                .withStateDirectory(state));
        io.daxguard.agent.failure.DeviceRef ref = io.daxguard.agent.failure.DeviceResolver.system().resolve(device);
        for (int i = 0; i < tuples; i++) {
            long offset = i * 4096L;
            agent.router().route(new FailureTuple(ref, offset, 512, 5, java.util.Set.of(), "storm",
                    Instant.now())).thenRun(() -> {
                        synchronized (out) {
                            out.println("ack " + offset);
                            out.flush();
                        }
                    });
        }
        Thread.sleep(Long.MAX_VALUE); // until killed
    }
}
