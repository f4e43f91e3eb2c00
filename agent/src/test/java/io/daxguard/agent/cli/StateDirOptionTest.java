package io.daxguard.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code daxguard run --state-dir DIR}: a missing DIR is a usage error that names the option. */
class StateDirOptionTest {

    @Test
    void runWithoutTheDirectoryIsAUsageErrorThatNamesTheOption() {
        StringWriter err = new StringWriter();

        int exit = DaxguardCommand.execute(new String[] {"run", "--state-dir"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));

        assertThat(exit).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--state-dir");
    }
}
