package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.spi.Holder;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent gives the ext4 plugin a private directory in its state directory, the plugin keeps its index there, and
 * an agent started again on that state directory names the files made while it was down.
 */
@Tag("mount")
class SavedIndexAcrossRestartsTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();
    @TempDir
    Path state;

    /** An agent on {@link #state} holding only this test's filesystem (not every scratch filesystem under /tmp). */
    private AgentFixture agent() throws Exception {
        return new AgentFixture(state, io.daxguard.agent.recovery.RecoverySettings.defaults(),
                settings -> settings.withWatchedMountPoints(List.of(EXT4.mountPoint())));
    }

    private static Holder readyHolder(AgentFixture agent) throws Exception {
        Holder holder = agent.agent().filesystems().on(EXT4.deviceNumber()).orElseThrow().holder().orElseThrow();
        assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).as("index ready").isTrue();
        return holder;
    }

    @Test
    void theIndexIsKeptInThePluginsOwnDirectoryReadableByTheAgentAlone() throws Exception {
        String uuid;
        try (AgentFixture agent = agent()) {
            uuid = readyHolder(agent).info().uuid();
        }
        Path directory = state.resolve("plugins").resolve("ext4");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                directory.resolve("index-" + uuid + "-" + EXT4.deviceNumber().major() + "."
                        + EXT4.deviceNumber().minor() + ".bin")))).isEqualTo("rw-------");
    }

    @Test
    void anAgentStartedAgainNamesAFileMadeWhileItWasDown() throws Exception {
        AgentFixture.writeFile(EXT4.path("before.bin"), 16 * 1024, 1);
        try (AgentFixture agent = agent()) {
            readyHolder(agent);
        }
        AgentFixture.writeFile(EXT4.path("while-down.bin"), 64 * 1024, 2);
        long offset = AgentFixture.extents(EXT4.path("while-down.bin")).get(0).physical();

        try (AgentFixture agent = agent()) {
            readyHolder(agent);
            CompositeData[] owners = (CompositeData[]) agent.remote().invoke(
                    ObjectNames.filesystem(EXT4.mountPoint().toString()), "resolve", new Object[] {offset, 4096L},
                    new String[] {"long", "long"});

            assertThat(Arrays.stream(owners).map(owner -> Arrays.asList((String[]) owner.get("paths"))))
                    .containsExactly(List.of("/while-down.bin"));
        }
    }
}
