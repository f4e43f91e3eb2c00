package io.daxguard.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The rule for tests that need the machine: under {@code CI=true} a missing privilege or tool fails the test;
 * elsewhere the test is skipped and the reason printed, so a developer without root still runs the rest.
 */
public final class Privileges {
    private Privileges() {
    }

    /** Requires root, loop devices and the given executables (for example {@code mkfs.xfs}). */
    public static void requireRootLoopAnd(String... executables) {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root (running as " + System.getProperty("user.name") + ")");
        }
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            missing.add("loop devices (/dev/loop-control)");
        }
        for (String executable : executables) {
            if (!Command.exists(executable)) {
                missing.add(executable + " (install its Debian package; .ci/run does)");
            }
        }
        require(missing);
    }

    /**
     * Requires what {@link FaultyDisk} needs besides root, loop devices and {@code executables}: FUSE
     * ({@code /dev/fuse}, {@code fusermount3}) and a C toolchain with the libfuse3 headers to build its server
     * (Debian packages fuse3, libfuse3-dev, gcc, pkg-config).
     */
    public static void requireRootLoopFuseAnd(String... executables) {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root (running as " + System.getProperty("user.name") + ")");
        }
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            missing.add("loop devices (/dev/loop-control)");
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            missing.add("FUSE (/dev/fuse; modprobe fuse)");
        }
        List<String> tools = new ArrayList<>(List.of("fusermount3", "gcc", "pkg-config"));
        tools.addAll(List.of(executables));
        for (String executable : tools) {
            if (!Command.exists(executable)) {
                missing.add(executable + " (install its Debian package; .ci/run does)");
            }
        }
        if (!Files.exists(Path.of("/usr/include/fuse3/fuse.h"))) {
            missing.add("libfuse3 headers (/usr/include/fuse3/fuse.h, Debian package libfuse3-dev)");
        }
        require(missing);
    }

    /**
     * Fails (under {@code CI=true}) or skips with the reason when {@code missing}, what this test needs and lacks, is
     * not empty: for needs beyond root, loop devices and executables.
     */
    public static void require(List<String> missing) {
        if (missing.isEmpty()) {
            return;
        }
        String reason = "this test needs " + String.join(", ", missing);
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(reason + "; CI=true, so it fails instead of skipping");
        }
        System.err.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
    }
}
