package io.daxguard.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball as an administrator gets it: unpacked in a temporary directory, started and stopped by
 * Debian's jsvc through bin/daxguard-jsvc, answering remote JMX and `daxguard status` while it runs. Its
 * temporary directory is a {@code noexec} tmpfs, as on many appliances: a native library extracted there could
 * not be loaded.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TarballTest {
    private static final String USER = "operator";
    private static final String PASSWORD = "tarball-test-password";

    @TempDir
    static Path work;
    private static Path home;
    private static Path pidFile;
    private static int port;
    private static boolean started;
    private static Path noexecTmp;
    private static boolean noexecMounted;

    @BeforeAll
    static void unpackAndStartWithJsvc() throws Exception {
        Privileges.requireRootLoopAnd("jsvc", "tar");
        noexecTmp = Files.createDirectories(work.resolve("noexec-tmp"));
        Command.run("mount", "-t", "tmpfs", "-o", "noexec,nosuid,nodev,size=16m", "daxguard-test-noexec-tmp",
                noexecTmp.toString());
        noexecMounted = true;
        Path tarball;
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            tarball = built.filter(file -> file.getFileName().toString().matches("daxguard-.*\\.tar\\.gz"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no daxguard-*.tar.gz in target/"));
        }
        Command.run("tar", "-xzf", tarball.toString(), "-C", work.toString());
        try (Stream<Path> unpacked = Files.list(work)) {
            home = unpacked.filter(Files::isDirectory)
                    .filter(directory -> directory.getFileName().toString().startsWith("daxguard-")).findFirst()
                    .orElseThrow();
        }
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path conf = home.resolve("conf");
        Files.writeString(conf.resolve("jmxremote.password"), USER + " " + PASSWORD + "\n");
        Files.writeString(conf.resolve("jmxremote.access"), USER + " control\n");
        Files.writeString(conf.resolve("test.yaml"), """
                stateDirectory: %s
                jmx:
                  remote:
                    enabled: true
                    bindAddress: 127.0.0.1
                    port: %d
                """.formatted(work.resolve("state"), port));
        pidFile = work.resolve("daxguard.pid");
        Command.Result start = jsvc("start", "--config", conf.resolve("test.yaml").toString());
        started = start.exitCode() == 0;
        assertThat(start.exitCode()).as("jsvc start: %s\nlog: %s", start, log()).isZero();
    }

    @AfterAll
    static void stopIfStillRunning() throws Exception {
        try {
            if (started && Files.exists(pidFile)) {
                jsvc("stop");
            }
        } finally {
            if (noexecMounted) {
                Command.run("umount", noexecTmp.toString());
            }
        }
    }

    private static Command.Result jsvc(String... arguments) throws IOException {
        List<String> argv = new java.util.ArrayList<>(List.of("env", "TMPDIR=" + noexecTmp,
                "DAXGUARD_JAVA_OPTS=-Djava.io.tmpdir=" + noexecTmp, "DAXGUARD_PID_FILE=" + pidFile,
                "DAXGUARD_LOG=" + work.resolve("daxguard.log"), home.resolve("bin/daxguard-jsvc").toString()));
        argv.addAll(List.of(arguments));
        return Command.tryRun(argv.toArray(String[]::new));
    }

    private static String log() throws IOException {
        Path log = work.resolve("daxguard.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    private static String url() {
        return "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi";
    }

    @Test
    @Order(1)
    void theNativeLibrariesAreLoadedFromTheHomeNotExtractedIntoTheNoexecTmp() throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        Path native_ = home.resolve("lib/native").resolve(Command.run("uname", "-m").trim()).toRealPath();
        String maps = Files.readString(Path.of("/proc/" + pid + "/maps"));

        assertThat(maps).contains(native_.resolve("libjnidispatch.so").toString())
                .contains(native_.resolve("libsqlitejdbc.so").toString());
        try (Stream<Path> left = Files.list(noexecTmp)) {
            assertThat(left.map(Path::toString).filter(name -> name.contains("jna") || name.contains("sqlite")))
                    .isEmpty();
        }
    }

    @Test
    @Order(1)
    void theTarballCarriesAManPageForTheCommandAndEachOfItsCommands() throws Exception {
        Path man1 = home.resolve("man/man1");
        java.util.Set<String> commands = new picocli.CommandLine(io.daxguard.agent.cli.DaxguardCommand.class)
                .getSubcommands().keySet();

        assertThat(commands).contains("status", "resolve", "completion");
        assertThat(man1.resolve("daxguard.1")).content().contains(".TH \"DAXGUARD\" \"1\"");
        for (String command : commands) {
            assertThat(man1.resolve("daxguard-" + command + ".1")).as(command).exists();
        }
    }

    @Test
    @Order(1)
    void theAgentStartedByJsvcAnswersRemoteJmx() throws Exception {
        Map<String, Object> credentials = new HashMap<>();
        credentials.put(JMXConnector.CREDENTIALS, new String[] {USER, PASSWORD});
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url()), credentials)) {
            Object version = connector.getMBeanServerConnection()
                    .getAttribute(new ObjectName("io.daxguard:type=Agent"), "Version");

            assertThat(version).isEqualTo(Files.list(home.resolve("lib")).map(path -> path.getFileName().toString())
                    .filter(name -> name.startsWith("agent-")).findFirst().orElseThrow()
                    .replaceFirst("^agent-(.*)\\.jar$", "$1"));
        }
    }

    @Test
    @Order(1)
    void theAgentStartedByJsvcKeepsThePagesItUsesInMemory() throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).trim());

        assertThat(kib(pid, "VmLck")).as("locked memory; log: %s", log()).isPositive();
        assertThat(log()).contains("pages in use locked in memory");
    }

    @Test
    @Order(1)
    void anAgentRefusedTheMemoryLockSaysHowToGrantItAndRunsOn() throws Exception {
        Path conf = work.resolve("unlocked.yaml");
        Files.createDirectories(work.resolve("nothing-to-watch"));
        Files.writeString(conf, """
                stateDirectory: %s
                watch: ["%s"]
                jmx: {local: false}
                sources: {trace: false, kmsg: false, badblocks: false}
                """.formatted(work.resolve("unlocked-state"), work.resolve("nothing-to-watch")));
        // Root without CAP_IPC_LOCK and with no locked memory allowed: mlockall is refused (EPERM).
        Process agent = new ProcessBuilder("setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--",
                "prlimit", "--memlock=0:0", "--", home.resolve("bin/daxguard").toString(), "run", "--config",
                conf.toString()).redirectErrorStream(true).start();
        try {
            StringBuilder output = new StringBuilder();
            try (java.io.BufferedReader lines = agent.inputReader()) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.append(line).append('\n');
                    if (line.startsWith("daxguard ") && line.contains(" running (pid ")) {
                        break;
                    }
                }
            }

            assertThat(output.toString()).contains("mlockall(MCL_CURRENT | MCL_ONFAULT) on this process failed: EPERM")
                    .contains("LimitMEMLOCK=infinity").contains(" running (pid ");
            assertThat(agent.isAlive()).as("the agent runs on").isTrue();
            assertThat(kib(agent.pid(), "VmLck")).isZero();
        } finally {
            agent.destroy();
            agent.waitFor();
        }
    }

    /** A {@code /proc/PID/status} size, in KiB. */
    private static long kib(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith(field + ":"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
    }

    @Test
    @Order(2)
    void daxguardStatusFromTheTarballReachesItsAgentByLocalAttach() throws Exception {
        Command.Result status = Command.tryRun(home.resolve("bin/daxguard").toString(), "status", "--pid",
                Files.readString(pidFile).trim());

        assertThat(status.stdout()).as("%s", status).startsWith("daxguard ").contains("unowned device damage:");
    }

    @Test
    @Order(3)
    void daxguardStatusReachesItsAgentByUrl() throws Exception {
        Command.Result status = Command.tryRun("env", "DAXGUARD_JMX_PASSWORD=" + PASSWORD,
                home.resolve("bin/daxguard").toString(), "status", "--url", url(), "--user", USER);

        assertThat(status.stdout()).as("%s", status).startsWith("daxguard ");
    }

    @Test
    @Order(4)
    void theSystemdUnitPassesSystemdAnalyzeVerify() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Command.exists("systemd-analyze"),
                "systemd-analyze is not installed: unit not verified");
        Path unit = work.resolve("daxguard.service");
        Files.writeString(unit, Files.readString(home.resolve("systemd/daxguard.service"))
                .replace("/opt/daxguard", home.toString()));

        Command.Result verify = Command.tryRun("systemd-analyze", "verify", unit.toString());

        assertThat(verify.stdout() + verify.stderr()).as("exit %d", verify.exitCode()).isEmpty();
    }

    @Test
    @Order(4)
    void jsvcRefusesToDropToAUserThatWouldLoseTheCapabilitiesSayingWhy() throws Exception {
        Command.Result start = Command.tryRun("env", "DAXGUARD_USER=nobody", "DAXGUARD_PID_FILE=" + work.resolve("no.pid"),
                "DAXGUARD_LOG=" + work.resolve("no.log"), home.resolve("bin/daxguard-jsvc").toString(), "start");

        assertThat(start.exitCode()).as("%s", start).isEqualTo(1);
        assertThat(start.stderr()).contains("DAXGUARD_USER=nobody").contains("CAP_SYS_ADMIN");
        assertThat(work.resolve("no.pid")).doesNotExist();
    }

    @Test
    @Order(5)
    void jsvcStopEndsTheAgentAndRemovesThePidFile() throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).trim());

        Command.Result stop = jsvc("stop");

        assertThat(stop.exitCode()).as("%s\nlog: %s", stop, log()).isZero();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("agent process").isEmpty();
        assertThat(pidFile).doesNotExist();
        assertThat(log()).contains("daxguard stopped");
    }
}
