package io.daxguard.agent;

import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.source.SourceSettings;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import javax.management.MBeanServerFactory;

/**
 * A child JVM for {@link KmsgAcrossACrashTest}: an agent reading the kernel log (and tracing) on a state directory,
 * which prints {@code position kept} once the kernel log source has kept its position there, then runs until killed.
 */
public final class KmsgAgentDriver {
    private KmsgAgentDriver() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            state.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            Agent.start(AgentSettings.defaults().withMbeanServer(MBeanServerFactory.newMBeanServer())
                    .withWatchedMountPoints(AgentFixture.SCRATCH).withStateDirectory(state)
                    .withSources(SourceSettings.defaults().withBadblocksEnabled(false)));
            while (!state.resolve("kmsg.cursor").toFile().exists()) {
                WatchKey key = watch.take(); // the cursor is made by a rename into the directory
                key.pollEvents();
                key.reset();
            }
        }
        System.out.println("position kept");
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
