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
}
