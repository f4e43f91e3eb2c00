package io.daxguard.agent.lifetime;

import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.agent.source.SourceSettings;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.rmi.registry.LocateRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The agent of {@link ApplianceLifetimeTest}, in a child JVM so that the test can kill it with {@code kill -9}:
 * a whole agent on a state directory, holding the filesystems mounted below one directory, served by an RMI
 * connector on loopback. Prints {@code jmx <url>} once it runs, then runs until killed ({@code kill -9}) or
 * stopped ({@code SIGTERM}: the agent is closed, as a service stops).
 *
 * <p>Arguments: the state directory, the watched directory. Failures come only from the test's reports (the
 * kernel log and trace carry every other test's I/O errors); files with open damage are checked to still exist
 * every second instead of every ten minutes, so a deleted file's damage closes within the scenario.
 */
public final class LifetimeAgentDriver {
    static final Duration IDENTITY_CHECK = Duration.ofSeconds(1);

    private LifetimeAgentDriver() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        Path watched = Path.of(args[1]);
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        Agent agent = Agent.start(AgentSettings.defaults().withMbeanServer(server).withWatchedMountPoints(List.of(watched))
                .withStateDirectory(state)
                .withRecovery(new RecoverySettings(Optional.empty(), Path.of("/proc"), Path.of("/sys"),
                        IDENTITY_CHECK, List.of()))
                .withSources(SourceSettings.defaults().withKmsgEnabled(false).withTraceEnabled(false)
                        .withBadblocksEnabled(false)));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        LocateRegistry.createRegistry(port);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + port + "/jndi/rmi://127.0.0.1:"
                + port + "/jmxrmi");
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(url, null, server);
        connector.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // SIGTERM: the clean stop of a service
            try {
                connector.stop();
            } catch (java.io.IOException e) {
                e.printStackTrace();
            } finally {
                agent.close();
            }
        }, "lifetime-agent-stop"));
        System.out.println("jmx " + connector.getAddress());
        System.out.flush();
        Thread.currentThread().join(); // until killed or stopped
    }
}
