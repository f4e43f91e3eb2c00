package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading maps files in the kernel's format (a copy of /proc laid out in a temporary directory). */
class MappingProcessesTest {
    @TempDir
    Path proc;

    private void process(long pid, String command, String maps) throws IOException {
        Path directory = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(directory.resolve("comm"), command + "\n");
        Files.writeString(directory.resolve("maps"), maps);
    }

    @Test
    void aProcessMappingTheInodeOnTheDeviceIsFound() throws IOException {
        process(4242, "postgres", "7f3a1c000000-7f3a1c010000 r--s 00000000 07:03 131   /mnt/data/table.dat\n");

        assertThat(MappingProcesses.of(proc, new DeviceNumber(7, 3), 131))
                .containsExactly(new MappingProcesses.Mapper(4242, "postgres"));
    }

    @Test
    void theSameInodeOnAnotherDeviceIsNotAMatch() throws IOException {
        process(4243, "cat", "7f3a1c000000-7f3a1c010000 r--s 00000000 fd:01 131   /home/table.dat\n");

        assertThat(MappingProcesses.of(proc, new DeviceNumber(7, 3), 131)).isEmpty();
    }

    @Test
    void hexDeviceNumbersAreReadAsHex() throws IOException {
        process(4244, "vm", "55d0a0000000-55d0a0001000 rw-s 00001000 103:0a 77   /dev/shm/x\n");

        assertThat(MappingProcesses.of(proc, new DeviceNumber(259, 10), 77)).hasSize(1);
    }

    @Test
    void entriesThatAreNotProcessesAreIgnored() throws IOException {
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self").resolve("maps"), "0-1 r--s 0 07:03 131 /x\n");

        assertThat(MappingProcesses.of(proc, new DeviceNumber(7, 3), 131)).isEmpty();
    }
}
