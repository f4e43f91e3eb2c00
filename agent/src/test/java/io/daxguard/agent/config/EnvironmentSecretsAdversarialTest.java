package io.daxguard.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review (issue 17): a secret taken from the environment must be taken as it is. A password may hold
 * {@code $}, {@code ${...}} or {@code $${}; the variable's value is data, not configuration text to be substituted
 * again, and no part of it may be echoed in an error.
 */
class EnvironmentSecretsAdversarialTest {
    private static final String TLS = """
            jmx:
              remote:
                tls:
                  keyStore: /etc/daxguard/keystore.p12
                  keyStorePassword: ${KEYSTORE_PASSWORD}
            """;

    private static String passwordAfterLoading(String secret, Map<String, String> otherVariables) throws Exception {
        Map<String, String> environment = new java.util.HashMap<>(otherVariables);
        environment.put("KEYSTORE_PASSWORD", secret);
        return ConfigLoader.parse("test.yaml", TLS, environment).jmx().remote().tls().keyStorePassword();
    }

    @Test
    void aSecretContainingDollarBraceNameIsTakenLiterallyNotExpandedAgain() throws Exception {
        assertThat(passwordAfterLoading("pa${HOME}ss", Map.of("HOME", "/root"))).isEqualTo("pa${HOME}ss");
    }

    @Test
    void aSecretContainingDoubledDollarBraceIsTakenLiterally() throws Exception {
        assertThat(passwordAfterLoading("a$${b}c", Map.of())).isEqualTo("a$${b}c");
    }

    @Test
    void aSecretContainingWhatLooksLikeAnUnsetVariableStillLoadsAndIsNotEchoed() {
        assertThatCode(() -> passwordAfterLoading("Xy${Secret Part}9", Map.of())).doesNotThrowAnyException();
    }

    @Test
    void aSecretReferringToItselfDoesNotBreakLoading() {
        assertThatCode(() -> passwordAfterLoading("${KEYSTORE_PASSWORD}", Map.of())).doesNotThrowAnyException();
    }

    /** "${NAME} in any value": a number and a boolean too, as on an appliance whose port comes from its environment. */
    @Test
    void aNumberOrABooleanMayComeFromTheEnvironment() throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", """
                metrics:
                  prometheus:
                    enabled: ${PROMETHEUS_ON}
                    port: ${PROMETHEUS_PORT}
                """, Map.of("PROMETHEUS_ON", "true", "PROMETHEUS_PORT", "9100"));

        assertThat(config.metrics().prometheus().enabled()).isTrue();
        assertThat(config.metrics().prometheus().port()).isEqualTo(9100);
    }
}
