package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.hooks.HookSettings;
import io.daxguard.agent.hooks.HooksSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent runs hooks as root, so it does not start with a hook program someone else could change: the refusal
 * names the configuration field and what is wrong.
 */
class InsecureHookProgramTest {
    @TempDir
    Path directory; // 0700, root's

    private Path program(String name) throws Exception {
        Path program = directory.resolve(name);
        Files.writeString(program, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        return program;
    }

    private void start(Path program) throws Exception {
        Path state = Files.createDirectory(directory.resolve("state"));
        try (Agent agent = Agent.start(AgentSettings.defaults().withMbeanServer(MBeanServerFactory.newMBeanServer())
                .withStateDirectory(state).withWatchedMountPoints(List.of(directory))
                .withHooks(new HooksSettings(List.of(new HookSettings("notify.exec[1]", program, Set.of(),
                        Duration.ofSeconds(5))), 4, 16)))) {
            throw new AssertionError("started with hook " + program);
        }
    }

    @Test
    void aGroupWritableProgramRefusesTheStartNamingTheField() throws Exception {
        Path program = program("group-writable.sh");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxrwxr-x"));

        assertThatThrownBy(() -> start(program)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("notify.exec[1].program: refused: " + program + " is group-writable (mode 0775); only its "
                        + "owner may write it (chmod go-w)");
    }

    @Test
    void aSymbolicLinkRefusesTheStartNamingTheField() throws Exception {
        Path link = Files.createSymbolicLink(directory.resolve("link.sh"), program("real.sh"));

        assertThatThrownBy(() -> start(link)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("notify.exec[1].program: refused: " + link + " is a symbolic link");
    }

    @Test
    void aProgramInAnOtherWritableDirectoryRefusesTheStart() throws Exception {
        Path program = program("in-open-directory.sh");
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> start(program)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("notify.exec[1].program: refused: its directory " + directory + " is group-writable (mode "
                        + "0777); only its owner may write it (chmod go-w)");
    }

    @Test
    void aMissingProgramRefusesTheStart() {
        Path missing = directory.resolve("missing.sh");

        assertThatThrownBy(() -> start(missing)).hasMessage("notify.exec[1].program: refused: " + missing
                + " does not exist");
    }
}
