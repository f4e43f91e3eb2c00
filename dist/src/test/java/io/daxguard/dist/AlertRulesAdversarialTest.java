package io.daxguard.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Privileges;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adversarial review (issue 17): the shipped example alert rules, unit-tested by Prometheus's own {@code promtool
 * test rules} against series as the agent exposes them (src/test/resources/adversarial/*.test.yml say what each
 * case holds the rules to).
 */
class AlertRulesAdversarialTest {
    @ParameterizedTest
    @ValueSource(strings = {"scrub-never-started.test.yml", "ledger-summary-of-its-instance.test.yml"})
    void theShippedAlertRulesPassPromtoolUnitTest(String test) throws Exception {
        Privileges.require(io.daxguard.testkit.Command.exists("promtool") ? java.util.List.of()
                : java.util.List.of("promtool (Debian package prometheus)"));
        Path file = Path.of("src/test/resources/adversarial", test).toAbsolutePath();
        Process promtool = new ProcessBuilder("promtool", "test", "rules", file.toString()).redirectErrorStream(true)
                .start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(promtool.waitFor()).as(output).isZero();
    }
}
