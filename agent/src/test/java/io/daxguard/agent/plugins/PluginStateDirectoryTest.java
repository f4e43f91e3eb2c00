package io.daxguard.agent.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginStateDirectoryTest {
    @TempDir
    Path state;

    @Test
    void makesThePluginsOwnDirectoryReadableByTheAgentAlone() throws Exception {
        Path made = PluginStateDirectory.of(state, "ext4").orElseThrow();

        assertThat(made).isEqualTo(state.resolve("plugins").resolve("ext4"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made.getParent())))
                .isEqualTo("rwx------");
    }

    @Test
    void closesAnExistingDirectoryToOthers() throws Exception {
        Path existing = Files.createDirectories(state.resolve("plugins").resolve("xfs"));
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThat(PluginStateDirectory.of(state, "xfs")).hasValue(existing);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing))).isEqualTo("rwx------");
    }

    @Test
    void givesNoDirectoryWhereASymbolicLinkStands() throws Exception {
        Files.createDirectories(state.resolve("plugins"));
        Files.createSymbolicLink(state.resolve("plugins").resolve("ext4"), Files.createDirectory(state.resolve("x")));

        assertThat(PluginStateDirectory.of(state, "ext4")).isEmpty();
    }

    @Test
    void givesNoDirectoryForATypeThatIsNotAPlainName() {
        assertThat(PluginStateDirectory.of(state, "../ledger")).isEmpty();
        assertThat(Files.exists(state.resolve("plugins"))).isFalse();
    }

    @Test
    void givesNoDirectoryWhenTheStateDirectoryCannotHoldOne() throws Exception {
        Path file = Files.createFile(state.resolve("not-a-directory"));

        assertThat(PluginStateDirectory.of(file, "ext4")).isEmpty();
    }
}
