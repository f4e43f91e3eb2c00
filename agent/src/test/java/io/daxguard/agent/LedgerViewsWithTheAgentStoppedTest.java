package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.cli.DaxguardCommand;
import io.daxguard.agent.cli.ExitCode;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.MBeanServerConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real agent on a real XFS records a damaged file and damaged metadata, and is stopped: {@code daxguard events} and
 * {@code status --offline} read its ledger and show what the running agent showed. {@code events} also reads the
 * ledger of the agent while it runs (its last commits are in the write-ahead log).
 */
@Tag("mount")
class LedgerViewsWithTheAgentStoppedTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    private Path state;
    private AgentFixture agent;

    /** What a command printed and returned. */
    private record Outcome(int exitCode, String out, String err) {
    }

    @BeforeEach
    void startAgent() throws Exception {
        state = Files.createTempDirectory("daxguard-state-");
        agent = new AgentFixture(state);
    }

    @AfterEach
    void stopAgentAndRemoveItsState() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            AgentFixture.deleteTree(state);
        }
    }

    private static Outcome daxguard(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DaxguardCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(code, out.toString(), err.toString());
    }

    private void report(long deviceOffset, long bytes) throws Exception {
        agent.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {XFS.device().getFileName().toString(), deviceOffset / 512, bytes / 512, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    /** The lines of {@code mountPoint}'s damage in a status text: from its errors line to the unowned damage. */
    private static String damageOf(String status, String mountPoint) {
        String section = status.substring(status.indexOf("  filesystem: " + mountPoint + "\n"));
        section = section.substring(section.indexOf("      errors:"));
        // Up to whatever comes next: another filesystem (the live agent also shows every other filesystem mounted on
        // the host, which the ledger does not know) or the report's closing sections.
        int end = section.length();
        for (String next : List.of("\n  filesystem: ", "\ndamage of filesystems that are gone:",
                "\nunowned device damage:")) {
            int at = section.indexOf(next);
            end = at < 0 ? end : Math.min(end, at);
        }
        return section.substring(0, end).strip();
    }

    @Test
    void offlineStatusShowsWhatTheRunningAgentShowed() throws Exception {
        AgentFixture.writeFile(XFS.path("stopped.bin"), 64 * 1024, 3);
        FiemapExtent extent = AgentFixture.extents(XFS.path("stopped.bin")).get(0);
        report(extent.physical() + 8192, 4096);
        report(0, 512); // the primary superblock
        MBeanServerConnection remote = agent.remote();
        String live = (String) remote.invoke(ObjectNames.agent(), "status", new Object[0], new String[0]);
        agent.close();
        agent = null;

        Outcome offline = daxguard("status", "--offline", "-v", "--state-dir", state.toString());

        String mountPoint = XFS.mountPoint().toString();
        assertThat(offline.exitCode()).isEqualTo(ExitCode.DAMAGE);
        assertThat(damageOf(live, mountPoint)).contains(mountPoint + "/stopped.bin").contains("metadata damage:");
        assertThat(damageOf(offline.out(), mountPoint)).isEqualTo(damageOf(live, mountPoint));
    }

    @Test
    void eventsReadTheLedgerWhileTheAgentRunsAndAfterItStopped() throws Exception {
        AgentFixture.writeFile(XFS.path("events.bin"), 64 * 1024, 4);
        FiemapExtent extent = AgentFixture.extents(XFS.path("events.bin")).get(0);
        report(extent.physical(), 4096);
        String file = "file " + XFS.mountPoint() + "/events.bin";

        Outcome whileRunning = daxguard("events", "--state-dir", state.toString());
        agent.close();
        agent = null;
        Outcome afterwards = daxguard("events", "--state-dir", state.toString());

        assertThat(whileRunning.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(whileRunning.out()).contains("detected  record").contains(file);
        assertThat(afterwards.out()).isEqualTo(whileRunning.out());
    }
}
