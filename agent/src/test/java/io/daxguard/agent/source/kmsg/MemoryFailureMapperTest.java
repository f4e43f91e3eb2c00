package io.daxguard.agent.source.kmsg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pfn to pmem/dax device and offset, against a fake sysfs tree in the kernel's format. */
class MemoryFailureMapperTest {
    @TempDir
    Path sysfs;

    private void device(String directory, String resource, String size) throws IOException {
        Path where = Files.createDirectories(sysfs.resolve(directory));
        Files.writeString(where.resolve("resource"), resource + "\n");
        Files.writeString(where.resolve("size"), size + "\n");
    }

    @Test
    void mapsAPfnInsideAPmemNamespaceToItsDeviceOffset() throws IOException {
        device("block/pmem0/device", "0x240000000", "4294967296");
        device("block/pmem1/device", "0x340000000", "4294967296");

        var location = new MemoryFailureMapper(sysfs, 4096).locate(0x340000000L / 4096 + 3);

        assertThat(location).contains(new MemoryFailureMapper.Location("pmem1", 3 * 4096, 4096));
    }

    @Test
    void mapsAPfnOfADeviceDaxInstance() throws IOException {
        device("bus/dax/devices/dax0.0", "0x440000000", "1073741824");

        var location = new MemoryFailureMapper(sysfs, 4096).locate(0x440000000L / 4096);

        assertThat(location).contains(new MemoryFailureMapper.Location("dax0.0", 0, 4096));
    }

    @Test
    void aPfnOutsideEveryDeviceIsDram() throws IOException {
        device("block/pmem0/device", "0x240000000", "4294967296");

        assertThat(new MemoryFailureMapper(sysfs, 4096).locate(0x1000)).isEmpty();
    }

    @Test
    void aBlockDeviceWithoutResourcesIsSkipped() throws IOException {
        Files.createDirectories(sysfs.resolve("block/sda/device"));
        device("block/pmem0/device", "0x240000000", "4294967296");

        assertThat(new MemoryFailureMapper(sysfs, 4096).locate(0x240000000L / 4096)).isPresent();
    }
}
