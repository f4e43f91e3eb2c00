package io.daxguard.agent.cli;

import static io.daxguard.agent.cli.SampleLedger.daxguard;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.cli.SampleLedger.Outcome;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial review (issue 17): once a secret is moved out of daxguard.yaml into the service's environment
 * ({@code keyStorePassword: ${DAXGUARD_KEYSTORE_PASSWORD}}, as the README advises), an operator's shell does not have
 * it. {@code events} and {@code status --offline} read only {@code stateDirectory} of {@code --config}, and are the
 * commands for when the agent is down: they must not need the agent's secrets to find the ledger.
 */
class OfflineCommandsSecretsAdversarialTest {
    private static final String UNSET = "DAXGUARD_ADV17_SECRET_ONLY_IN_THE_SERVICE_ENVIRONMENT";

    @TempDir
    Path state;
    private Path config;

    @BeforeEach
    void aLedgerAndAConfigurationWhoseSecretIsInTheServiceEnvironment() throws Exception {
        assertThat(System.getenv(UNSET)).isNull();
        try (SqliteDamageLedger ledger = SampleLedger.open(state)) {
            ledger.record(SampleLedger.file(SampleLedger.DATA, "/projects/a.bin", 131, 1 << 20,
                    Instant.parse("2026-03-01T08:00:00Z")));
        }
        config = Files.writeString(state.resolve("daxguard.yaml"), """
                stateDirectory: %s
                jmx:
                  remote:
                    tls:
                      keyStore: /etc/daxguard/agent.p12
                      keyStorePassword: ${%s}
                """.formatted(state, UNSET));
    }

    @Test
    void eventsFindsTheLedgerThroughAConfigurationWhoseSecretIsNotInThisShell() {
        Outcome events = daxguard("events", "--config", config.toString());

        assertThat(events.exitCode()).as(events.err()).isEqualTo(ExitCode.OK);
        assertThat(events.out()).contains("/projects/a.bin");
    }

    @Test
    void offlineStatusFindsTheLedgerThroughAConfigurationWhoseSecretIsNotInThisShell() {
        Outcome status = daxguard("status", "--offline", "--config", config.toString());

        assertThat(status.err()).doesNotContain("is not a valid configuration");
        assertThat(status.out()).contains("/projects/a.bin");
    }
}
