package io.daxguard.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Debian package as an administrator installs it: {@code dpkg -i} on this machine, the agent run from the
 * installed files with the installed configuration, {@code dpkg --purge}. Runs only on a machine where daxguard is not
 * installed, and removes everything it installed even when a test fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageTest {
    private static final Path HOME = Path.of("/opt/daxguard");
    private static final Path CONF = Path.of("/etc/daxguard");
    private static final Path STATE = Path.of("/var/lib/daxguard");
    private static boolean installed;

    @BeforeAll
    static void install() throws Exception {
        Privileges.requireRootLoopAnd("dpkg", "dpkg-query");
        List<String> missing = new ArrayList<>();
        if (Command.tryRun("dpkg-query", "-W", "daxguard").exitCode() == 0) {
            missing.add("a machine where no daxguard package is installed (dpkg-query -W daxguard found one)");
        }
        for (Path ours : List.of(HOME, CONF, STATE)) {
            if (Files.exists(ours, LinkOption.NOFOLLOW_LINKS)) {
                missing.add("no " + ours + " (it would be the package's)");
            }
        }
        Privileges.require(missing);
        Command.Result install = Command.tryRun("dpkg", "-i", debianPackage().toString());
        installed = true;
        assertThat(install.exitCode()).as("dpkg -i: %s", install).isZero();
    }

    @AfterAll
    static void purge() throws Exception {
        if (installed) {
            Command.run("dpkg", "--purge", "daxguard");
        }
    }

    private static Path debianPackage() throws IOException {
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            return built.filter(file -> file.getFileName().toString().matches("daxguard_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no daxguard_*_all.deb in target/")).toAbsolutePath();
        }
    }

    @Test
    @Order(1)
    void theProgramConfigurationStateAndUnitAreWhereDebianKeepsThem() throws Exception {
        assertThat(HOME.resolve("bin/daxguard")).isExecutable();
        assertThat(CONF.resolve("daxguard.yaml")).isRegularFile();
        assertThat(HOME.resolve("conf").toRealPath()).isEqualTo(CONF);
        assertThat(Command.run("dpkg-query", "-W", "-f=${Conffiles}", "daxguard"))
                .contains("/etc/daxguard/daxguard.yaml");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(STATE))).isEqualTo("rwx------");
        assertThat(Path.of("/lib/systemd/system/daxguard.service")).content().contains("RestartPreventExitStatus=4");
        assertThat(Path.of("/usr/share/man/man1/daxguard.1.gz")).isRegularFile();
        assertThat(Path.of("/usr/share/bash-completion/completions/daxguard")).content()
                .contains("_complete_daxguard");
    }

    @Test
    @Order(1)
    void theUnitIsEnabled() {
        assertThat(Path.of("/etc/systemd/system/multi-user.target.wants/daxguard.service")).isSymbolicLink();
    }

    @Test
    @Order(1)
    void daxguardIsOnThePath() throws Exception {
        assertThat(Command.run("/usr/bin/daxguard", "version")).startsWith("daxguard ");
    }

    @Test
    @Order(2)
    void theAgentRunsFromTheInstalledFilesWithTheInstalledConfiguration() throws Exception {
        Process agent = new ProcessBuilder(HOME.resolve("bin/daxguard").toString(), "run", "--config",
                CONF.resolve("daxguard.yaml").toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            StringBuilder log = new StringBuilder();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(agent.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                // The log says when it is ready; read until then (the stream ends if the agent dies first).
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    log.append(line).append('\n');
                    if (line.contains(" started; holding ")) {
                        break;
                    }
                }
                assertThat(log.toString()).as("the agent's log").contains(" started; holding ");
                Command.Result status = Command.tryRun(HOME.resolve("bin/daxguard").toString(), "status", "--pid",
                        Long.toString(agent.pid()));
                assertThat(status.stdout()).as("%s", status).startsWith("daxguard ");
                assertThat(STATE.resolve("ledger.db")).isRegularFile();
            }
        } finally {
            agent.destroy();
            if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    @Test
    @Order(3)
    void aPasswordFileTheAdministratorWroteIsMadePrivateWhenThePackageIsConfigured() throws Exception {
        Path password = CONF.resolve("jmxremote.password");
        Files.writeString(password, "operator a-password\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));

        Command.run("/var/lib/dpkg/info/daxguard.postinst", "configure");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(password))).isEqualTo("rw-------");
    }

    @Test
    @Order(4)
    void purgeLeavesNothingBehind() throws Exception {
        Command.run("dpkg", "--purge", "daxguard");
        installed = false;

        for (Path gone : List.of(HOME, CONF, STATE, Path.of("/lib/systemd/system/daxguard.service"),
                Path.of("/etc/systemd/system/multi-user.target.wants/daxguard.service"), Path.of("/usr/bin/daxguard"))) {
            assertThat(Files.exists(gone, LinkOption.NOFOLLOW_LINKS)).as(gone.toString()).isFalse();
        }
    }
}
