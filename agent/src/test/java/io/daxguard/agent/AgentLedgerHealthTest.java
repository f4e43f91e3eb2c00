package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unusable state directory does not stop the agent: it starts, and its MBean says what is wrong. */
class AgentLedgerHealthTest {
    @TempDir
    Path temp;

    @Test
    void anUnusableStateDirectoryIsShownOnTheAgentMBean() throws Exception {
        Path notADirectory = Files.writeString(temp.resolve("state"), "a file, not a directory");
        try (AgentFixture fixture = new AgentFixture(notADirectory)) {
            assertThat((String) fixture.remote().getAttribute(ObjectNames.agent(), "LedgerHealth"))
                    .contains(notADirectory.toString()).contains("held in memory");
        }
    }

    @Test
    void aGoodStateDirectoryIsDurable() throws Exception {
        try (AgentFixture fixture = new AgentFixture(temp)) {
            assertThat(fixture.remote().getAttribute(ObjectNames.agent(), "LedgerDurable")).isEqualTo(true);
        }
    }
}
