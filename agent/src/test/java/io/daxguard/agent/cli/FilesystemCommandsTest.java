package io.daxguard.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.RemoteAgent;
import io.daxguard.support.linux.FilesystemControl;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code daxguard freeze|thaw|shutdown|clear-free-space MOUNT} against an agent over remote JMX, on a real ext4. */
@Tag("mount")
class FilesystemCommandsTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().build();

    @TempDir
    static Path home;
    private static RemoteAgent running;
    private static String url;

    record Outcome(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void startAgent() throws Exception {
        running = RemoteAgent.start(home, "control", "");
        url = running.address().toString();
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private static Outcome daxguard(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DaxguardCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(code, out.toString(), err.toString());
    }

    private static String mount() {
        return EXT4.mountPoint().toString();
    }

    private static boolean frozen() throws Exception {
        try (NativeFile root = NativeFile.openDirectory(EXT4.mountPoint())) {
            return FilesystemControl.isFrozen(root);
        }
    }

    @Test
    void freezeThenThawEachSayWhatTheyDidAndTheFilesystemEndsThawed() throws Exception {
        Outcome freeze = daxguard("freeze", "--url", url, mount() + "/");
        try {
            assertThat(freeze.exitCode()).as("%s", freeze).isZero();
            assertThat(freeze.out()).startsWith("ok: frozen").contains("daxguard thaw " + mount());
            assertThat(frozen()).isTrue();
        } finally {
            Outcome thaw = daxguard("thaw", "--url", url, mount());
            assertThat(thaw.exitCode()).as("%s", thaw).isZero();
            assertThat(thaw.out()).startsWith("ok: thawed");
        }
        assertThat(frozen()).isFalse();
    }

    @Test
    void statusAndItsJsonSayWhileAFreezeOfDaxguardsHolds() {
        String text;
        String json;
        Outcome freeze = daxguard("freeze", "--url", url, mount());
        try {
            assertThat(freeze.exitCode()).as("%s", freeze).isZero();
            Outcome textStatus = daxguard("status", "--url", url);
            text = textStatus.out() + textStatus.err();
            json = daxguard("status", "--json", "--url", url).out();
        } finally {
            assertThat(daxguard("thaw", "--url", url, mount()).exitCode()).isZero();
        }
        assertThat(text).contains("      frozen: by daxguard since").contains("daxguard thaw " + mount());
        assertThat(json).containsPattern("\"frozenByDaxguard\"\\s*:\\s*\"frozen at");
    }

    @Test
    void aThawOfAFilesystemNotFrozenFailsSayingSo() {
        Outcome thaw = daxguard("thaw", "--url", url, mount());

        assertThat(thaw.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(thaw.err()).contains("the filesystem is not frozen");
    }

    @Test
    void aShutdownConfirmedWithAnotherPathIsAUsageErrorAndNothingIsDone() throws Exception {
        Outcome shutdown = daxguard("shutdown", "--url", url, "--confirm", "/", mount());

        assertThat(shutdown.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(shutdown.err()).contains("confirmMountPoint must be the mount point");
        java.nio.file.Files.writeString(EXT4.path("still-writable"), "yes");
    }

    @Test
    void clearFreeSpaceWithNoFreeSpaceDamageSaysThereIsNothingToClear() {
        Outcome clear = daxguard("clear-free-space", "--url", url, mount());

        assertThat(clear.exitCode()).as("%s", clear).isZero();
        assertThat(clear.out()).startsWith("nothing to clear");
    }
}
