package io.daxguard.agent.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hook run's cgroup on this machine's cgroup2 (we are root; the tests need a writable one, as the agent does to
 * kill a daemonized hook child): what enters it, what closing it kills, and that it is gone after.
 */
class HookCgroupTest {
    private Path scripts;
    private Optional<HookCgroup> cgroup = Optional.empty();
    private Long leftPid;

    @BeforeEach
    void makeScripts() throws IOException {
        scripts = Files.createTempDirectory("daxguard-cgroup-test-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (leftPid != null) {
            ProcessHandle.of(leftPid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (cgroup.isPresent()) {
            cgroup.get().close();
        }
        try (var files = Files.list(scripts)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(scripts);
    }

    private Path script(String body) throws IOException {
        Path file = scripts.resolve("run.sh");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private HookCgroup newCgroup() throws IOException {
        HookCgroups cgroups = HookCgroups.find();
        assertThat(cgroups.unavailable()).as("why hook runs have no cgroup here").isEmpty();
        cgroup = cgroups.create();
        return cgroup.orElseThrow();
    }

    /** Runs the script in the cgroup to its exit; its standard output, the pid of what it left running. */
    private long runLeavingADaemon(HookCgroup group) throws Exception {
        Path program = script("( setsid sleep 100000 < /dev/null > /dev/null 2>&1 & echo $! )");
        Process process = new ProcessBuilder(group.command(program)).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        leftPid = Long.parseLong(out);
        return leftPid;
    }

    @Test
    void aDaemonTheProgramLeftIsInItsCgroup() throws Exception {
        HookCgroup group = newCgroup();

        long daemon = runLeavingADaemon(group);

        assertThat(Files.readAllLines(group.directory().resolve("cgroup.procs"))).contains(Long.toString(daemon));
    }

    @Test
    void closingKillsADaemonThatLeftTheProcessTree() throws Exception {
        HookCgroup group = newCgroup();
        long daemon = runLeavingADaemon(group);

        group.close();

        Optional<ProcessHandle> left = ProcessHandle.of(daemon);
        assertThat(left.isEmpty() || left.get().onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS)
                .thenApply(done -> !left.get().isAlive()).get()).as("the daemon, after close").isTrue();
    }

    @Test
    void closingRemovesTheCgroup() throws Exception {
        HookCgroup group = newCgroup();
        runLeavingADaemon(group);

        group.close();

        assertThat(group.directory()).doesNotExist();
    }

    @Test
    void theProgramGetsTheEnvironmentItWasGivenAndNothingOfTheShell() throws Exception {
        HookCgroup group = newCgroup();
        ProcessBuilder builder = new ProcessBuilder(group.command(Path.of("/usr/bin/env"))).directory(new java.io.File("/"));
        builder.environment().clear();
        builder.environment().put("DAXGUARD_EVENT", "x");

        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out.lines().toList()).containsExactly("DAXGUARD_EVENT=x");
    }

    @Test
    void theCgroup2MountIsTheOneWhoseRootIsTheHierarchysRoot() {
        List<String> mountinfo = List.of(
                "30 24 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755",
                "41 30 0:37 /some/where /mnt/elsewhere rw - cgroup2 cgroup2 rw",
                "40 30 0:37 / /sys/fs/cgroup/my\\040unified rw,relatime - cgroup2 cgroup2 rw");

        assertThat(HookCgroups.cgroup2Mount(mountinfo)).contains(Path.of("/sys/fs/cgroup/my unified"));
    }

    @Test
    void withoutACgroup2MountRunsHaveNoCgroupAndItSaysWhy() throws Exception {
        Path mountinfo = scripts.resolve("mountinfo");
        Files.writeString(mountinfo, "30 24 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n");
        Path cgroupFile = scripts.resolve("cgroup");
        Files.writeString(cgroupFile, "0::/\n");

        HookCgroups cgroups = HookCgroups.find(mountinfo, cgroupFile);

        assertThat(cgroups.create()).isEmpty();
        assertThat(cgroups.unavailable()).contains("no cgroup2");
    }

    @Test
    void aMountPointThatIsNotUtf8DoesNotCostHookRunsTheirCgroups(@org.junit.jupiter.api.io.TempDir Path work)
            throws IOException {
        Path mountinfo = work.resolve("mountinfo");
        Files.write(mountinfo, Files.readAllBytes(Path.of("/proc/self/mountinfo")));
        // Another mount whose point is bytes no charset decodes as UTF-8 (0xff), as any user may make one.
        Files.write(mountinfo, "999 1 7:9 / /tmp/\u00ffname rw - ext4 /dev/loop9 rw\n".getBytes(StandardCharsets.ISO_8859_1),
                java.nio.file.StandardOpenOption.APPEND);

        HookCgroups withIt = HookCgroups.find(mountinfo, Path.of("/proc/self/cgroup"));

        assertThat(withIt.unavailable()).isEqualTo(HookCgroups.find().unavailable());
    }
}
