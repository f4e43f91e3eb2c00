package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * An agent started as the daemon starts it ({@link AgentService}), holding the scratch filesystems under the
 * temporary directory, with its remote connector on loopback without authentication (every caller has one role),
 * and a plain JMX client connected to it: what a vendor's tool meets. Closes both.
 */
public final class RemoteAgent implements AutoCloseable {
    private final AgentService service;
    private final JMXConnector client;

    private RemoteAgent(AgentService service, JMXConnector client) {
        this.service = service;
        this.client = client;
    }

    /**
     * Starts an agent keeping its state in {@code home/state}, every remote caller having {@code role}, with the
     * configuration lines {@code extra} added (say {@code "mbeans: {batchItems: 50}\n"}), and waits until each of
     * {@code filesystems} has its reverse map.
     */
    public static RemoteAgent start(Path home, String role, String extra, ScratchFilesystem... filesystems) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        AgentService service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                sources: {kmsg: false, trace: false, badblocks: false}
                jmx:
                  remote:
                    enabled: true
                    bindAddress: 127.0.0.1
                    port: %d
                    authenticate: false
                    allowInsecure: true
                    anonymousRole: %s
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), port, role) + extra), home,
                MBeanServerFactory.newMBeanServer());
        JMXConnector client = null;
        try {
            service.start();
            client = JMXConnectorFactory.connect(service.remoteAddress().orElseThrow(), Map.of());
            RemoteAgent agent = new RemoteAgent(service, client);
            for (ScratchFilesystem filesystem : filesystems) {
                assertThat(agent.connection().invoke(filesystem(filesystem), "awaitReverseMap", new Object[] {60},
                        new String[] {"int"})).as("reverse map of %s", filesystem.mountPoint()).isEqualTo(true);
            }
            return agent;
        } catch (Exception | AssertionError e) {
            try {
                if (client != null) {
                    client.close();
                }
            } finally {
                service.close();
            }
            throw e;
        }
    }

    /** The remote connector's address, for a command line's {@code --url}. */
    public JMXServiceURL address() {
        return service.remoteAddress().orElseThrow();
    }

    public MBeanServerConnection connection() throws IOException {
        return client.getMBeanServerConnection();
    }

    public static ObjectName filesystem(ScratchFilesystem filesystem) {
        return ObjectNames.filesystem(filesystem.mountPoint().toString());
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            service.close();
        }
    }
}
