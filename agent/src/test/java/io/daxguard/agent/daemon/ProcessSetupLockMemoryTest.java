package io.daxguard.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code lockMemory: false} leaves the process's pages evictable (the lock itself, and its refusal, are tested on
 * the packaged agent: dist's TarballTest).
 */
class ProcessSetupLockMemoryTest {

    @Test
    void lockMemoryOffLocksNothing() throws Exception {
        boolean locked = ProcessSetup.lockMemory(ConfigLoader.parse("test", "lockMemory: false\n"));

        assertThat(locked).isFalse();
        assertThat(Files.readAllLines(Path.of("/proc/self/status"))).filteredOn(line -> line.startsWith("VmLck:"))
                .singleElement().asString().matches("VmLck:\\s+0 kB");
    }

    @Test
    void lockMemoryIsOnUnlessTurnedOff() throws Exception {
        assertThat(ConfigLoader.parse("test", "watch: []\n").lockMemory()).isTrue();
    }
}
