package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.testkit.Privileges;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents on one state directory would write one ledger and replace each other's saved indexes: the second is
 * refused at start, naming the directory and the first's pid, and touches nothing there; once the first stops, an
 * agent starts there again.
 */
@Tag("mount")
class OneAgentPerStateDirectoryTest {
    @TempDir
    Path state;

    @Test
    void aSecondAgentOnTheSameStateDirectoryIsRefusedNamingIt() throws Exception {
        try (AgentFixture first = new AgentFixture(state)) {
            assertThatThrownBy(() -> new AgentFixture(state).close())
                    .hasStackTraceContaining("the state directory " + state + " is in use by another daxguard agent")
                    .hasStackTraceContaining("(pid " + ProcessHandle.current().pid() + ")");
            assertThat(first.remote().getAttribute(io.daxguard.agent.jmx.ObjectNames.agent(), "Version"))
                    .as("the first agent runs on").isNotNull();
        }
    }

    @Test
    void anAgentStartsOnTheStateDirectoryAnotherOneLeft() throws Exception {
        new AgentFixture(state).close();

        try (AgentFixture again = new AgentFixture(state)) {
            assertThat(again.remote().getAttribute(io.daxguard.agent.jmx.ObjectNames.agent(), "Version")).isNotNull();
        }
    }

    /**
     * The agent opens and closes every file of a filesystem it indexes, its own lock file too when the state directory
     * is on it: an fcntl lock was lost at the first such close, and a second agent was not refused. A descriptor of
     * the lock file opened and closed in the agent's process leaves the lock held.
     */
    @Test
    void theLockOutlivesAnotherDescriptorOfItsFileClosedInTheAgentsProcess() throws Exception {
        Privileges.requireRootLoopAnd("python3");
        try (AgentFixture first = new AgentFixture(state)) {
            Files.readString(state.resolve("agent.lock")); // opened and closed in this process, as an index build does

            Process probe = new ProcessBuilder("python3", "-c", """
                    import fcntl, os, sys
                    fd = os.open(sys.argv[1], os.O_RDONLY)
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        print("taken")
                    except BlockingIOError:
                        print("held")
                    """, state.resolve("agent.lock").toString()).start();
            try (BufferedReader out = probe.inputReader()) {
                assertThat(out.readLine()).isEqualTo("held");
            } finally {
                probe.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Another process's lock (an agent of another JVM takes the same kind: flock), here python's. */
    @Test
    void anAgentIsRefusedWhileAnotherProcessHoldsTheStateDirectorysLock() throws Exception {
        Privileges.requireRootLoopAnd("python3");
        Process holder = new ProcessBuilder("python3", "-c", """
                import fcntl, os, sys
                fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
                fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, (str(os.getpid()) + "\\n").encode())
                print("locked", flush=True)
                sys.stdin.read()
                """, state.resolve("agent.lock").toString()).start();
        try (BufferedReader out = holder.inputReader()) {
            assertThat(out.readLine()).isEqualTo("locked");

            assertThatThrownBy(() -> new AgentFixture(state).close())
                    .hasStackTraceContaining("is in use by another daxguard agent (pid " + holder.pid() + ")");
            assertThat(state.resolve("ledger.db")).as("nothing made in the state directory").doesNotExist();
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
