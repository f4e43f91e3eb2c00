package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.spi.Holder;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A directory renamed and replaced by a symbolic link to its new name ({@code mv d d2; ln -s d2 d}) after the agent
 * learnt the name {@code /d/f}: {@code /d/f} still leads to the file, through the link, but is not one of its names.
 * The agent must name the file {@code /d2/f}, from a walk it made earlier (XFS with rmapbt: the agent's own walk) and
 * from an index (ext4: the plugin's names).
 */
@Tag("mount")
class NamesThroughASymlinkAdversarialTest {
    private static List<List<String>> pathsOwning(AgentFixture agent, ScratchFilesystem filesystem, Path file)
            throws Exception {
        long offset = AgentFixture.extents(file).get(0).physical();
        CompositeData[] owners = (CompositeData[]) agent.remote().invoke(
                ObjectNames.filesystem(filesystem.mountPoint().toString()), "resolve", new Object[] {offset, 4096L},
                new String[] {"long", "long"});
        return Arrays.stream(owners).map(owner -> Arrays.asList((String[]) owner.get("paths"))).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs", "ext4"})
    void aNameThatLeadsToTheFileOnlyThroughASymbolicLinkIsNotGiven(String type) throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.of(type).create()) {
            Path file = Files.createDirectory(filesystem.path("d")).resolve("f");
            AgentFixture.writeFile(file, 64 * 1024, 1);
            try (AgentFixture agent = new AgentFixture(null, io.daxguard.agent.recovery.RecoverySettings.defaults(),
                    settings -> settings.withWatchedMountPoints(List.of(filesystem.mountPoint())))) {
                Holder holder = agent.agent().filesystems().on(filesystem.deviceNumber()).orElseThrow().holder()
                        .orElseThrow();
                assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).isTrue();
                assertThat(pathsOwning(agent, filesystem, file)).containsExactly(List.of("/d/f"));

                Files.move(filesystem.path("d"), filesystem.path("d2"));
                Files.createSymbolicLink(filesystem.path("d"), Path.of("d2"));

                assertThat(pathsOwning(agent, filesystem, filesystem.path("d2/f"))).containsExactly(List.of("/d2/f"));
            }
        }
    }
}
