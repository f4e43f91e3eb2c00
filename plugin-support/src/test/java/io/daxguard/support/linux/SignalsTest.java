package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignalsTest {

    @Test
    void namesWithAndWithoutSigAndNumbersAreUnderstood() {
        assertThat(new int[] {Signals.number("SIGBUS"), Signals.number("bus"), Signals.number("7")})
                .containsOnly(Signals.SIGBUS);
    }

    @Test
    void anUnknownSignalIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> Signals.number("SIGFOO")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SIGBUS");
    }

    @Test
    void aSignalSentThroughTheProcessDescriptorReachesTheProcess() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try (NativeFile process = Pidfd.open(sleeper.pid())) {
            Pidfd.signal(process, Signals.SIGUSR1);

            assertThat(sleeper.waitFor(60, TimeUnit.SECONDS) ? sleeper.exitValue() : -1).isEqualTo(128 + Signals.SIGUSR1);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** The descriptor holds the process, not its number: once it exited nothing is signalled through it. */
    @Test
    void aProcessThatExitedAfterItsDescriptorWasOpenedGivesEsrch() throws Exception {
        Process shortLived = new ProcessBuilder("sleep", "600").start();
        try (NativeFile process = Pidfd.open(shortLived.pid())) {
            shortLived.destroyForcibly().waitFor();

            assertThatThrownBy(() -> Pidfd.signal(process, Signals.SIGTERM)).isInstanceOf(NativeCallException.class)
                    .satisfies(e -> assertThat(((NativeCallException) e).errno()).isEqualTo(NativeCallException.ESRCH));
        }
    }

    @Test
    void aProcessThatDoesNotExistCannotBeOpened() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();

        assertThatThrownBy(() -> Pidfd.open(gone.pid())).isInstanceOf(NativeCallException.class)
                .hasMessageContaining("pidfd_open");
    }
}
