package io.daxguard.spi.linux;

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
    void aSignalReachesTheProcess() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try {
            Signals.send(sleeper.pid(), Signals.SIGUSR1);

            assertThat(sleeper.waitFor(60, TimeUnit.SECONDS) ? sleeper.exitValue() : -1).isEqualTo(128 + Signals.SIGUSR1);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aProcessThatDoesNotExistGivesEsrch() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();

        assertThatThrownBy(() -> Signals.send(gone.pid(), Signals.SIGTERM)).isInstanceOf(NativeCallException.class)
                .hasMessageContaining("kill");
    }
}
