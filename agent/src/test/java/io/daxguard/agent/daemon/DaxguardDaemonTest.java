package io.daxguard.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.jmx.ObjectNames;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonController;
import org.apache.commons.daemon.DaemonInitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Commons Daemon life cycle as jsvc drives it (jsvc itself is exercised by the dist module's TarballTest). */
class DaxguardDaemonTest {
    @TempDir
    Path directory;

    /** What jsvc hands the daemon: its arguments. */
    private static DaemonContext arguments(String... arguments) {
        return new DaemonContext() {
            @Override
            public DaemonController getController() {
                return null;
            }

            @Override
            public String[] getArguments() {
                return arguments;
            }
        };
    }

    @Test
    void anInvalidConfigurationFailsInitListingTheViolation() throws Exception {
        Path config = directory.resolve("daxguard.yaml");
        Files.writeString(config, "mbeans:\n  filesPerFilesystem: -3\n");

        assertThatThrownBy(() -> new DaxguardDaemon().init(arguments("--config", config.toString())))
                .isInstanceOf(DaemonInitException.class)
                .hasMessageContaining("mbeans.filesPerFilesystem: must be greater than or equal to 0 (was -3)");
    }

    @Test
    void unknownArgumentsFailInit() {
        assertThatThrownBy(() -> new DaxguardDaemon().init(arguments("--colour", "blue")))
                .isInstanceOf(DaemonInitException.class).hasMessageContaining("usage");
    }

    @Test
    void startRegistersTheAgentAndStopUnregistersIt() throws Exception {
        Path config = directory.resolve("daxguard.yaml");
        Files.writeString(config, "watch: [" + System.getProperty("java.io.tmpdir") + "]\n"
                + "stateDirectory: " + directory.resolve("state") + "\n");
        DaxguardDaemon daemon = new DaxguardDaemon();
        daemon.init(arguments("--config", config.toString()));
        daemon.start();
        boolean registeredWhileRunning = ManagementFactory.getPlatformMBeanServer().isRegistered(ObjectNames.agent());

        daemon.stop();
        daemon.destroy();

        assertThat(registeredWhileRunning).isTrue();
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(ObjectNames.agent())).isFalse();
    }
}
