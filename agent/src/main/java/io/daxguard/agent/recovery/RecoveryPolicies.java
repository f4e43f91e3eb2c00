package io.daxguard.agent.recovery;

import io.daxguard.spi.LinuxPath;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured recovery policies and which one a filesystem gets: the most specific match wins, a UUID match over
 * any watched directory, and among watched directories the longest one the mount point is at or below. No match:
 * nothing is done by itself (every repair is an operator's).
 */
public record RecoveryPolicies(List<RecoveryPolicy> policies) {
    public RecoveryPolicies {
        policies = List.copyOf(policies);
        Set<String> names = new HashSet<>();
        for (RecoveryPolicy policy : policies) {
            if (!names.add(policy.name())) {
                throw new IllegalArgumentException("two recovery policies are named " + policy.name());
            }
        }
    }

    public static RecoveryPolicies none() {
        return new RecoveryPolicies(List.of());
    }

    /** The policy of the filesystem with this UUID mounted at {@code mountPoint}, and how it was matched. */
    public Match match(LinuxPath mountPoint, String uuid) {
        Optional<RecoveryPolicy> byUuid = policies.stream()
                .filter(policy -> policy.uuid().map(id -> id.equalsIgnoreCase(uuid)).orElse(false)).findFirst();
        if (byUuid.isPresent()) {
            return new Match(byUuid, "uuid " + uuid);
        }
        Optional<RecoveryPolicy> byWatch = policies.stream()
                .filter(policy -> policy.watch().map(watch -> atOrBelow(mountPoint, watch)).orElse(false))
                .max(Comparator.comparingInt(policy -> policy.watch().orElseThrow().length()));
        return byWatch.map(policy -> new Match(byWatch, "watch " + policy.watch().orElseThrow().display()
                        + (policy.watch().orElseThrow().equals(mountPoint) ? "" : " (mounted below it)")))
                .orElse(new Match(Optional.empty(), ""));
    }

    private static boolean atOrBelow(LinuxPath mountPoint, LinuxPath watch) {
        byte[] mount = mountPoint.bytes();
        byte[] directory = watch.bytes();
        if (directory.length == 1) { // "/"
            return true;
        }
        if (mount.length < directory.length || !java.util.Arrays.equals(mount, 0, directory.length, directory, 0,
                directory.length)) {
            return false;
        }
        return mount.length == directory.length || mount[directory.length] == '/';
    }

    /**
     * A filesystem's policy, if any.
     *
     * @param policy the policy that applies
     * @param how    why it applies ({@code uuid U}, {@code watch /srv (mounted below it)})
     */
    public record Match(Optional<RecoveryPolicy> policy, String how) {
        /** One line for the MBean and status: name, how matched, steps, mode; or {@code none: manual}. */
        public String describe() {
            return policy.map(p -> p.name() + " (" + how + "): " + p.describe())
                    .orElse("none: manual (damage is recorded and shown; every repair waits for an operator)");
        }
    }
}
