package io.daxguard.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Adversarial review of {@code lockMemory}: a value that is not true or false is refused, naming the field and the
 * value, like every other setting (never a crash, never read as one of them).
 */
class LockMemoryValueAdversarialTest {

    @Test
    void aSectionForLockMemoryIsRefusedNamingTheField() {
        assertThatThrownBy(() -> ConfigLoader.parse("test.yaml", "lockMemory: {enabled: false}\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("lockMemory: must be true or false (was a section)");
    }

    @Test
    void aNumberForLockMemoryIsRefusedNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> ConfigLoader.parse("test.yaml", "lockMemory: 2\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("lockMemory: must be true or false (was 2)");
    }

    @Test
    void zeroForLockMemoryIsRefusedRatherThanReadAsFalse() {
        assertThatThrownBy(() -> ConfigLoader.parse("test.yaml", "lockMemory: 0\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("lockMemory: must be true or false (was 0)");
    }
}
