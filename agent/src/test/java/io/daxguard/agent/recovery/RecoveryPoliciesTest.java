package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which policy a filesystem gets: the most specific match. */
class RecoveryPoliciesTest {
    private static final String UUID = "0b5f7e6c-1111-2222-3333-444455556666";

    private static RecoveryPolicy watching(String name, String directory) {
        return new RecoveryPolicy(name, Optional.of(LinuxPath.ofText(directory)), Optional.empty(),
                List.of(RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS", RecoveryPolicy.Mode.EARLY, List.of(), List.of(),
                List.of());
    }

    private static RecoveryPolicy ofUuid(String name, String uuid) {
        return new RecoveryPolicy(name, Optional.empty(), Optional.of(uuid),
                List.of(RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS", RecoveryPolicy.Mode.EARLY, List.of(), List.of(),
                List.of());
    }

    private static String matched(RecoveryPolicies policies, String mountPoint) {
        return policies.match(LinuxPath.ofText(mountPoint), UUID).policy().map(RecoveryPolicy::name).orElse("none");
    }

    @Test
    void aUuidMatchBeatsEveryWatchedDirectory() {
        RecoveryPolicies policies = new RecoveryPolicies(List.of(watching("exact", "/srv/db"), ofUuid("byUuid", UUID)));

        assertThat(matched(policies, "/srv/db")).isEqualTo("byUuid");
    }

    @Test
    void theLongestWatchedDirectoryAtOrAboveTheMountPointWins() {
        RecoveryPolicies policies = new RecoveryPolicies(List.of(watching("srv", "/srv"), watching("db", "/srv/db"),
                watching("root", "/")));

        assertThat(matched(policies, "/srv/db/shard1")).isEqualTo("db");
        assertThat(matched(policies, "/srv/web")).isEqualTo("srv");
        assertThat(matched(policies, "/home")).isEqualTo("root");
    }

    @Test
    void aWatchedDirectoryIsMatchedByWholeComponentsOnly() {
        RecoveryPolicies policies = new RecoveryPolicies(List.of(watching("db", "/srv/db")));

        assertThat(matched(policies, "/srv/db2")).isEqualTo("none");
    }

    @Test
    void withoutAMatchTheFilesystemIsManual() {
        RecoveryPolicies.Match match = new RecoveryPolicies(List.of(ofUuid("other", "1-2-3"))).match(
                LinuxPath.ofText("/srv"), UUID);

        assertThat(match.describe()).startsWith("none: manual");
    }

    @Test
    void theMatchSaysHowItMatchedAndWhatItDoes() {
        RecoveryPolicies policies = new RecoveryPolicies(List.of(watching("srv", "/srv")));

        assertThat(policies.match(LinuxPath.ofText("/srv/db"), UUID).describe()).isEqualTo("srv (watch /srv (mounted "
                + "below it)): onFileDamage quarantine; signal SIGBUS; mode early; disposable none; onMetadataDamage "
                + "none; onFreeDamage none");
    }
}
