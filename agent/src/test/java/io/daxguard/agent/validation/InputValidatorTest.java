package io.daxguard.agent.validation;

import io.daxguard.agent.source.operator.FailureReport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputValidatorTest {
    private static final InputValidator VALIDATOR = new InputValidator();

    @Test
    void acceptsAKernelNameADevicePathAndAMajorMinor() {
        for (String device : new String[] {"loop3", "/dev/nvme0n1p2", "7:3"}) {
            FailureReport report = new FailureReport(device, 0, 1, 5);

            assertThat(VALIDATOR.check("reportFailure", report)).isSameAs(report);
        }
    }

    @Test
    void aNegativeSectorIsRejectedNamingFieldAndValue() {
        assertThatThrownBy(() -> VALIDATOR.check("reportFailure", new FailureReport("loop3", -8, 1, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reportFailure rejected: sector: must be greater than or equal to 0 (was -8)");
    }

    @Test
    void aDeviceNameWithAPathTraversalIsRejected() {
        assertThatThrownBy(() -> VALIDATOR.check("reportFailure", new FailureReport("../etc/passwd", 0, 1, 5)))
                .hasMessageContaining("device: must be a kernel device name")
                .hasMessageContaining("(was \"../etc/passwd\")");
    }

    @Test
    void everyViolationIsListed() {
        assertThatThrownBy(() -> VALIDATOR.check("reportFailure", new FailureReport("loop3", 0, 0, 0)))
                .hasMessageContaining("errno: must be greater than or equal to 1 (was 0)")
                .hasMessageContaining("sectors: must be greater than 0 (was 0)");
    }
}
