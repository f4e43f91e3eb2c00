package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.daemon.AgentService;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack (issue 13): a client-side notification listener is registered by the RMI connector's notification
 * forwarder, not through {@code MBeanServer.addNotificationListener}, so {@link RoleEnforcer} never sees it; only
 * an {@code isInstanceOf} runs, inside the connector's own privileged block where the caller's subject is gone. A
 * user without a role then hears every notification of every MBean (the delegate's registrations, daxguard's own).
 */
class RemoteJmxNotificationAttackTest {
    private static final String PROBE = "io.daxguard.test.attack:type=NewMBean";
    private static final MBeanServer PLATFORM = ManagementFactory.getPlatformMBeanServer();

    @TempDir
    static Path home;
    private static AgentService service;
    private static JMXServiceURL url;

    @BeforeAll
    static void startAgentInThePlatformServer() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), """
                watcher watcher-secret
                stranger stranger-secret
                """);
        Files.writeString(home.resolve("conf/jmxremote.access"), """
                watcher monitor
                """);
        service = RemoteJmxAgent.start(home, "", PLATFORM);
        url = service.remoteAddress().orElseThrow();
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (service != null) {
            service.close();
        }
        if (PLATFORM.isRegistered(new ObjectName(PROBE))) {
            PLATFORM.unregisterMBean(new ObjectName(PROBE));
        }
    }

    @Test
    void aUserWithoutARoleHearsNoNotification() throws Exception {
        BlockingQueue<Notification> heard = new LinkedBlockingQueue<>();
        JMXConnector connected;
        try {
            connected = JMXConnectorFactory.connect(url,
                    Map.of(JMXConnector.CREDENTIALS, new String[] {"stranger", "stranger-secret"}));
        } catch (SecurityException refused) {
            return; // Refused at login (a user removed while connected: RemoteJmxAccessFileChangesTest).
        }
        try (JMXConnector stranger = connected) {
            try {
                stranger.getMBeanServerConnection().addNotificationListener(MBeanServerDelegate.DELEGATE_NAME,
                        (notification, handback) -> heard.add(notification), null, null);
            } catch (SecurityException refused) {
                return; // What the role rule promises: a user without a role gets nothing.
            }
            ProbeMBeans.register(PLATFORM, PROBE, MBeanOperationInfo.INFO);

            Notification first = heard.poll(10, TimeUnit.SECONDS);
            assertThat(first).as("a notification delivered to a user without a role").isNull();
        }
    }
}
