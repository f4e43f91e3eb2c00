package io.daxguard.agent.remote;

import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import javax.management.MBeanServerFactory;

/** An agent service with remote JMX on a free loopback port, as the remote-access tests start it. */
final class RemoteJmxAgent {
    private RemoteJmxAgent() {
    }

    /** A TCP port free right now (another process could take it before it is bound; tests accept that). */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /**
     * Starts an agent service at {@code home} (state in {@code home/state}) on its own MBean server, closing it
     * again if it does not start.
     *
     * @param moreRemoteSettings further lines of the {@code jmx.remote} section, indented by four spaces
     */
    static AgentService start(Path home, String moreRemoteSettings) throws Exception {
        return start(home, moreRemoteSettings, MBeanServerFactory.newMBeanServer());
    }

    /** As {@link #start(Path, String)}, with the agent's MBeans in {@code server} (the platform's, say). */
    static AgentService start(Path home, String moreRemoteSettings, javax.management.MBeanServer server)
            throws Exception {
        AgentService service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                jmx:
                  remote:
                    enabled: true
                    bindAddress: 127.0.0.1
                    port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), freePort()) + moreRemoteSettings), home,
                server);
        try {
            service.start();
        } catch (Exception | Error e) {
            service.close();
            throw e;
        }
        return service;
    }
}
