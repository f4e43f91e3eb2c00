package io.daxguard.agent;

import static io.daxguard.agent.ByteNamesAgentDriver.firstByte;
import static io.daxguard.agent.ByteNamesAgentDriver.print;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.ByteNames;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.openmbean.CompositeData;

/**
 * Run in a child JVM by {@link SavedIndexWithoutAUtf8LocaleAdversarialTest}, in a mount namespace of its own, with
 * the locale the test gives it: an ext4 (indexed by daxguard, its index saved) mounted on {@code mnt-\xe9-é}, a file
 * named {@code caf\xe9-é-\xff.bin} made before the first agent and one named {@code \x80\xfe-down.bin} made while no
 * agent runs; a second agent on the same state directory starts from the saved index. Prints, in ASCII (a character
 * beyond it as a Java escape), {@code key value} lines: what each agent's resolve names, and the damage report.
 */
public final class SavedIndexByteNamesAgentDriver {
    /** The MBean server of the agent started last. */
    private static MBeanServer server;

    private SavedIndexByteNamesAgentDriver() {
    }

    public static void main(String[] args) throws Exception {
        print("encoding", System.getProperty("sun.jnu.encoding"));
        try (ScratchFilesystem ext4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096")
                .mountDirectoryNamed(LinuxPath.fromDisplay("mnt-\\xe9-\u00e9")).create()) {
            LinuxPath before = file(ext4, bytes(ByteNames.latin1("caf\u00e9-").bytes(),
                    "\u00e9-".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff}, ".bin".getBytes()), 1);
            Path state = Files.createTempDirectory("daxguard-state-");
            try {
                try (Agent agent = started(state)) {
                    ready(agent, ext4);
                    print("first", resolve(agent, ext4, before));
                }
                print("saved", Files.list(state.resolve("plugins").resolve("ext4")).count());
                LinuxPath whileDown = file(ext4, bytes(new byte[] {(byte) 0x80, (byte) 0xfe},
                        "-down.bin".getBytes()), 2);
                try (Agent agent = started(state)) {
                    ready(agent, ext4);
                    print("second", resolve(agent, ext4, before));
                    print("down", resolve(agent, ext4, whileDown));
                    long sector = firstByte(whileDown) / 512;
                    print("summary", server.invoke(ObjectNames.agent(), "reportFailure",
                            new Object[] {ext4.device().getFileName().toString(), sector, 1L, 5},
                            new String[] {"java.lang.String", "long", "long", "int"}));
                }
            } finally {
                AgentFixture.deleteTree(state);
            }
        }
        print("done", "");
    }

    private static Agent started(Path state) throws Exception {
        server = MBeanServerFactory.newMBeanServer();
        return Agent.start(AgentSettings.defaults().withMbeanServer(server)
                .withWatchedMountPoints(AgentFixture.SCRATCH).withStateDirectory(state)
                .withSources(SourceSettings.defaults().withKmsgEnabled(false).withTraceEnabled(false)));
    }

    private static void ready(Agent agent, ScratchFilesystem ext4) throws Exception {
        Holder holder = agent.filesystems().on(ext4.deviceNumber()).orElseThrow().holder().orElseThrow();
        print("ready", holder.awaitReverseMap(Duration.ofMinutes(2)));
    }

    /** The names the filesystem MBean's resolve gives the owners of the first block of {@code file}. */
    private static List<List<String>> resolve(Agent agent, ScratchFilesystem ext4, LinuxPath file) throws Exception {
        CompositeData[] owners = (CompositeData[]) server.invoke(
                ObjectNames.filesystem(ext4.mountPointBytes().display()), "resolve",
                new Object[] {firstByte(file), 4096L}, new String[] {"long", "long"});
        return Arrays.stream(owners).map(owner -> Arrays.asList((String[]) owner.get("paths"))).toList();
    }

    private static byte[] bytes(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A file of 64 KiB written under a plain name, then renamed to {@code name}'s bytes. */
    private static LinuxPath file(ScratchFilesystem ext4, byte[] name, long seed) throws Exception {
        return ByteNamesAgentDriver.fileNamed(ext4, LinuxPath.of(name), seed);
    }
}
