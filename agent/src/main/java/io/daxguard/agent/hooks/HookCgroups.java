package io.daxguard.agent.hooks;

import io.daxguard.support.linux.MountInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where each hook run gets a cgroup (v2) of its own, so that everything it started, a daemon that left its process
 * tree included ({@code setsid}, a double fork: reparented to init, no longer a descendant), is found and killed
 * with it ({@code cgroup.kill}): the children of the agent's own cgroup ({@code /proc/self/cgroup}'s {@code 0::}
 * line, under the cgroup2 mount of {@code /proc/self/mountinfo}), named {@code daxguard-hook-<agent pid>-<n>}.
 * Children without controllers: the agent's cgroup has processes (the agent) and so enables none for its children,
 * and a child with none is allowed beside them (the no-internal-processes rule is about distributing controllers).
 *
 * <p>Probed once ({@link #find}): a cgroup made and removed, {@code cgroup.kill} (Linux 5.14) present. Where that
 * fails (no cgroup2 mount, a read-only one: a container, systemd's {@code ProtectControlGroups=yes}, an older kernel)
 * {@link #create} gives nothing and {@link #unavailable} says why: runs are then killed by their process tree only.
 */
final class HookCgroups {
    static final String PREFIX = "daxguard-hook-";
    private static final AtomicLong NEXT = new AtomicLong();

    private final Optional<Path> parent;
    private final String unavailable;

    private HookCgroups(Optional<Path> parent, String unavailable) {
        this.parent = parent;
        this.unavailable = unavailable;
    }

    /** No cgroups (no hook configured: nothing to probe). */
    static HookCgroups none(String why) {
        return new HookCgroups(Optional.empty(), why);
    }

    /** The agent's own cgroup if hook runs can have cgroups under it; else why not. */
    static HookCgroups find() {
        return find(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"));
    }

    static HookCgroups find(Path mountinfo, Path cgroupFile) {
        try {
            // One char per byte: any other mount point may be bytes that are not UTF-8; the cgroup2 mount is ASCII.
            Optional<Path> mount = cgroup2Mount(Files.readAllLines(mountinfo, StandardCharsets.ISO_8859_1));
            if (mount.isEmpty()) {
                return new HookCgroups(Optional.empty(), "no cgroup2 filesystem is mounted");
            }
            Optional<String> own = Files.readAllLines(cgroupFile, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.startsWith("0::")).map(line -> line.substring(3)).findFirst();
            if (own.isEmpty() || own.get().startsWith("/..")) {
                return new HookCgroups(Optional.empty(), "the agent's cgroup v2 is not visible ("
                        + cgroupFile + ": " + own.orElse("no 0:: line") + ")");
            }
            Path parent = mount.get().resolve(own.get().substring(1));
            removeLeftovers(parent);
            HookCgroup probe = HookCgroup.make(parent.resolve(name()));
            boolean killable = Files.exists(probe.directory().resolve("cgroup.kill"));
            probe.close();
            return killable ? new HookCgroups(Optional.of(parent), "")
                    : new HookCgroups(Optional.empty(), "the kernel has no cgroup.kill (Linux 5.14 and later)");
        } catch (IOException | RuntimeException e) {
            return new HookCgroups(Optional.empty(), "cannot make a cgroup under the agent's own: " + e);
        }
    }

    /** A new cgroup for one run, or none if hook runs cannot have one (the caller kills by process tree). */
    Optional<HookCgroup> create() throws IOException {
        return parent.isEmpty() ? Optional.empty() : Optional.of(HookCgroup.make(parent.get().resolve(name())));
    }

    /** Why runs have no cgroup of their own; empty when they have. */
    String unavailable() {
        return unavailable;
    }

    private static String name() {
        return PREFIX + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet();
    }

    /**
     * The cgroups an agent that ended without cleaning up (killed, crashed) left: any {@code daxguard-hook-<pid>-*}
     * whose agent is not running, what is in it killed and it removed. An agent's own (same pid) are left alone,
     * so several agents in one JVM (the tests) never remove each other's.
     */
    private static void removeLeftovers(Path parent) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path child : children) {
                String[] parts = child.getFileName().toString().substring(PREFIX.length()).split("-");
                if (!parts[0].matches("[0-9]{1,10}") || ProcessHandle.of(Long.parseLong(parts[0])).isPresent()) {
                    continue;
                }
                try {
                    new HookCgroup(child).close();
                } catch (IOException stillThere) {
                    // another agent's business, or processes that would not die: left, tried again next start
                }
            }
        }
    }

    /** The mount point of the cgroup2 filesystem whose root is the hierarchy's root, from mountinfo's lines. */
    static Optional<Path> cgroup2Mount(List<String> mountinfo) {
        for (String line : mountinfo) {
            int separator = line.indexOf(" - ");
            if (separator < 0) {
                continue;
            }
            String[] before = line.substring(0, separator).split(" ");
            String[] after = line.substring(separator + 3).split(" ");
            if (after.length > 0 && after[0].equals("cgroup2") && before.length > 4 && before[3].equals("/")) {
                // Read as ISO-8859-1: one char per byte, so the bytes go back exactly.
                return Optional.of(Path.of(new String(MountInfo.unescape(before[4].getBytes(StandardCharsets.ISO_8859_1)),
                        StandardCharsets.UTF_8)));
            }
        }
        return Optional.empty();
    }
}
