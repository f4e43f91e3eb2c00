package io.daxguard.agent;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.Agent;

import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * An agent on its own MBean server, served by a real RMI connector on loopback, and a client connected to
 * it; closes all of it. Also writes test files and says where their bytes are.
 */
final class AgentFixture implements AutoCloseable {
    /** Test agents hold only the scratch filesystems tests make under the temporary directory, not the host's. */
    static final java.util.List<Path> SCRATCH = java.util.List.of(Path.of(System.getProperty("java.io.tmpdir")));

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final Agent agent;
    private final Registry registry;
    private final JMXConnectorServer connectorServer;
    private final JMXConnector client;

    private final Path ownStateDirectory;

    /** An agent with a fresh state directory of its own, deleted at close. */
    AgentFixture() throws Exception {
        this(null);
    }

    /**
     * An agent keeping its ledger in {@code stateDirectory} (kept at close), or in a fresh one when null; replicas are
     * read from anywhere under the scratch directory.
     */
    AgentFixture(Path stateDirectory) throws Exception {
        this(stateDirectory, RecoverySettings.defaults().withReplicaRoots(SCRATCH));
    }

    /** As {@link #AgentFixture(Path)}, with these recovery settings (a replica provider). */
    AgentFixture(Path stateDirectory, RecoverySettings recovery) throws Exception {
        this(stateDirectory, recovery, settings -> settings);
    }

    /** As {@link #AgentFixture(Path, RecoverySettings)}, with other settings changed by {@code adjusted}. */
    AgentFixture(Path stateDirectory, RecoverySettings recovery, UnaryOperator<AgentSettings> adjusted)
            throws Exception {
        ownStateDirectory = stateDirectory == null ? Files.createTempDirectory("daxguard-state-") : null;
        // Failures come only from the test's own reports: the kernel log carries every other test's I/O errors,
        // which would race with them (the sources have tests of their own, through SourcesFixture).
        agent = Agent.start(adjusted.apply(AgentSettings.defaults().withMbeanServer(server).withWatchedMountPoints(SCRATCH)
                .withStateDirectory(stateDirectory == null ? ownStateDirectory : stateDirectory)
                .withRecovery(recovery)
                .withSources(io.daxguard.agent.source.SourceSettings.defaults().withKmsgEnabled(false).withTraceEnabled(false))));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        registry = LocateRegistry.createRegistry(port);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + port + "/jndi/rmi://127.0.0.1:" + port
                + "/jmxrmi");
        connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(url, null, server);
        connectorServer.start();
        client = JMXConnectorFactory.connect(connectorServer.getAddress());
    }

    /** The remote view, as jconsole has it: no daxguard classes needed to read it. */
    MBeanServerConnection remote() throws IOException {
        return client.getMBeanServerConnection();
    }

    Agent agent() {
        return agent;
    }

    /** The agent's own MBean server, for a listener in the agent's JVM. */
    MBeanServer server() {
        return server;
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            try {
                connectorServer.stop();
            } finally {
                try {
                    UnicastRemoteObject.unexportObject(registry, true);
                } catch (NoSuchObjectException alreadyGone) {
                    // Nothing to release.
                } finally {
                    agent.close();
                    if (ownStateDirectory != null) {
                        deleteTree(ownStateDirectory);
                    }
                }
            }
        }
    }

    static void deleteTree(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Writes {@code bytes} of seeded random data to a new file and fsyncs it, so its blocks are allocated. */
    static void writeFile(Path file, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(data));
            channel.force(true);
        }
    }

    /** Where the file's bytes are on its filesystem's device. */
    static List<FiemapExtent> extents(Path file) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, Fiemap.DEFAULT_BATCH, extents::add);
        }
        return extents;
    }
}
