package io.daxguard.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.SettingsMapping;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.spi.LinuxPath;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;

/** {@code recovery.policies}: checked field by field, and mapped onto the agent's recovery settings. */
class RecoveryPolicyConfigTest {
    private static List<String> problems(String yaml) {
        try {
            ConfigLoader.parse("test.yaml", yaml);
        } catch (ConfigurationException expected) {
            return expected.violations();
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    @Test
    void withoutPoliciesEveryRepairIsManual() throws Exception {
        AgentSettings settings = SettingsMapping.toSettings(ConfigLoader.parse("test.yaml", ""), Path.of("/opt/dg"),
                MBeanServerFactory.newMBeanServer());

        assertThat(settings.recovery().policies().policies()).isEmpty();
    }

    @Test
    void aPolicyReachesTheRecoverySettingsWithItsDefaults() throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", """
                recovery:
                  policies:
                    - name: db
                      watch: /srv/db/
                      onFileDamage: [signalMappers, restore, quarantine]
                      disposable: [cache/]
                """);

        RecoveryPolicy policy = SettingsMapping.toSettings(config, Path.of("/opt/dg"),
                MBeanServerFactory.newMBeanServer()).recovery().policies().policies().get(0);

        assertThat(policy).isEqualTo(new RecoveryPolicy("db", Optional.of(LinuxPath.ofText("/srv/db")),
                Optional.empty(), List.of(RecoveryPolicy.FileStep.SIGNAL_MAPPERS, RecoveryPolicy.FileStep.RESTORE,
                RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS", RecoveryPolicy.Mode.EARLY, List.of("/cache"),
                List.of(), List.of()));
    }

    @Test
    void anUnknownStepModeOrSignalIsRefusedNamingTheFieldAndTheValue() {
        assertThat(problems("""
                recovery:
                  policies:
                    - name: db
                      watch: /srv/db
                      onFileDamage: [signalMappers, restor]
                      signal: SIGBOGUS
                      mode: eventually
                      onMetadataDamage: [panic]
                      onFreeDamage: [zero]
                """)).containsExactly(
                "recovery.policies[0].mode: must be early or late (was \"eventually\")",
                "recovery.policies[0].onFileDamage[1].<list element>: must be one of signalMappers, restore, rewrite, "
                        + "quarantine (was \"restor\")",
                "recovery.policies[0].onFreeDamage[0].<list element>: must be clearPoison (was \"zero\")",
                "recovery.policies[0].onMetadataDamage[0].<list element>: must be freeze or shutdown (was \"panic\")",
                "recovery.policies[0].signal: must be a signal daxguard sends: SIGBUS, SIGTERM, SIGKILL, SIGHUP, "
                        + "SIGINT, SIGUSR1, SIGUSR2 or a number 1..31 (was \"SIGBOGUS\")");
    }

    @Test
    void aPolicyNeedsANameAndExactlyOneOfWatchAndUuid() {
        assertThat(problems("""
                recovery:
                  policies:
                    - watch: /srv/db
                    - name: both
                      watch: /srv
                      uuid: 0b5f7e6c-1111-2222-3333-444455556666
                    - name: neither
                """)).containsExactly(
                "recovery.policies[0].name: must not be blank (was null)",
                "recovery.policies[1]: needs exactly one of watch (a mount point) and uuid (a filesystem)",
                "recovery.policies[2]: needs exactly one of watch (a mount point) and uuid (a filesystem)");
    }

    @Test
    void twoPoliciesWithOneNameAreRefusedNamingIt() {
        assertThat(problems("""
                recovery:
                  policies:
                    - {name: db, watch: /srv/db}
                    - {name: db, watch: /srv/other}
                """)).containsExactly("recovery.duplicateNames: every policy needs a name of its own; these name more "
                + "than one (was [db])");
    }

    @Test
    void aDisposableDirectoryMayNotLeaveTheMount() {
        assertThat(problems("""
                recovery:
                  policies:
                    - {name: db, watch: /srv/db, disposable: [cache/../../etc]}
                """)).containsExactly("recovery.policies[0].disposable[0].<list element>: must be a directory relative "
                + "to the mount point, without . or .. components (was \"cache/../../etc\")");
    }

    @Test
    void aPolicyNameThatWouldNotReadAsOneWordInTheAuditIsRefused() {
        assertThat(problems("""
                recovery:
                  policies:
                    - {name: "db\\nforged", watch: /srv/db}
                """)).containsExactly("recovery.policies[0].name: must be 1 to 64 letters, digits, '.', '_' or '-', "
                + "starting with a letter or digit (it is the audit's principal, policy:<name>) (was \"db\\nforged\")");
    }
}
