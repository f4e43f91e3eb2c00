package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code daxguard run --state-dir DIR}: the option is documented, and a missing DIR is a usage error. */
class DaxguardStateDirTest {

    @Test
    void runWithoutTheDirectoryIsAUsageErrorThatNamesTheOption() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = Daxguard.run(new String[] {"run", "--state-dir"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(Daxguard.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--state-dir DIR");
    }
}
