package io.daxguard.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentSubstitutionTest {
    private static final String TLS = """
            jmx:
              remote:
                tls:
                  keyStore: /etc/daxguard/keystore.p12
                  keyStorePassword: %s
            """;

    private static DaxguardConfig parse(String password, Map<String, String> environment) throws Exception {
        return ConfigLoader.parse("test.yaml", TLS.formatted(password), environment);
    }

    @Test
    void aValueNamingAnEnvironmentVariableTakesItsValue() throws Exception {
        DaxguardConfig config = parse("${DAXGUARD_KEYSTORE_PASSWORD}", Map.of("DAXGUARD_KEYSTORE_PASSWORD", "s3cret"));

        assertThat(config.jmx().remote().tls().keyStorePassword()).isEqualTo("s3cret");
    }

    @Test
    void aVariableInsideALongerValueIsReplacedInPlace() throws Exception {
        DaxguardConfig config = parse("\"pre-${PART}-post\"", Map.of("PART", "middle"));

        assertThat(config.jmx().remote().tls().keyStorePassword()).isEqualTo("pre-middle-post");
    }

    @Test
    void aDoubledDollarKeepsALiteralDollarBrace() throws Exception {
        DaxguardConfig config = parse("\"$${NOT_A_VARIABLE}\"", Map.of());

        assertThat(config.jmx().remote().tls().keyStorePassword()).isEqualTo("${NOT_A_VARIABLE}");
    }

    @Test
    void anUnsetVariableIsAnErrorNamingTheFieldAndTheVariable() {
        assertThatThrownBy(() -> parse("${DAXGUARD_KEYSTORE_PASSWORD}", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("jmx.remote.tls.keyStorePassword: environment variable "
                        + "DAXGUARD_KEYSTORE_PASSWORD is not set");
    }

    @Test
    void aDefaultIsNotOfferedSoAMissingSecretCannotPassUnnoticed() {
        assertThatThrownBy(() -> parse("\"${PASSWORD:-changeit}\"", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("jmx.remote.tls.keyStorePassword: \"${PASSWORD:-changeit}\" is not an "
                        + "environment variable name");
    }

    @Test
    void aVariablesValueCannotAddConfigurationStructure() throws Exception {
        DaxguardConfig config = parse("${INJECTED}", Map.of("INJECTED", "x\n    keyStoreType: JKS"));

        assertThat(config.jmx().remote().tls().keyStorePassword()).isEqualTo("x\n    keyStoreType: JKS");
        assertThat(config.jmx().remote().tls().keyStoreType()).isEqualTo(TlsConfig.defaults().keyStoreType());
    }

    @Test
    void keysAreNeverSubstituted() {
        assertThatThrownBy(() -> ConfigLoader.parse("test.yaml", "\"${KEY}\": 1\n", Map.of("KEY", "stateDirectory")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("${KEY}: unknown key");
    }
}
