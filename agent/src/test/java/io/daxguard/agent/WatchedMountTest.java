package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A filesystem mounted whole in two places, one of them watched, is held at the watched one. */
@Tag("mount")
class WatchedMountTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().build();

    @Test
    void holdsAFilesystemAtItsWatchedMountWhenItIsAlsoMountedElsewhere() throws Exception {
        Path state = Files.createTempDirectory("daxguard-watched-state-");
        Path watched = Files.createTempDirectory("daxguard-watched-");
        // A longer path than the fixture's own mount, which would otherwise stand for the filesystem.
        Path second = Files.createDirectory(watched.resolve("a-mount-point-longer-than-the-first"));
        Command.run("mount", "-t", "ext4", EXT4.device().toString(), second.toString());
        try (Agent agent = Agent.start(AgentSettings.defaults().withMbeanServer(MBeanServerFactory.newMBeanServer())
                .withWatchedMountPoints(List.of(watched)).withStateDirectory(state))) {
            Optional<AttachedFilesystem> held = agent.filesystems().on(EXT4.deviceNumber());

            assertThat(held).map(filesystem -> filesystem.mount().mountPoint()).contains(LinuxPath.of(second));
        } finally {
            Command.run("umount", second.toString());
            AgentFixture.deleteTree(state);
            AgentFixture.deleteTree(watched);
        }
    }
}
