package io.daxguard.agent.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One grammar, one answer for every way of naming a device: against the real {@code /sys} (the loop control's
 * neighbours are always there: {@code /sys/class/block} has at least one device on any machine that runs the
 * tests) and against a tree of the kernel's format for names the machine does not have.
 */
class DeviceResolverTest {
    @TempDir
    Path sysfs;
    private DeviceResolver resolver;

    @BeforeEach
    void oneDevice() throws IOException {
        Path device = Files.createDirectories(sysfs.resolve("devices/virtual/block/pmem0"));
        Files.writeString(device.resolve("dev"), "259:0\n");
        Files.createDirectories(sysfs.resolve("class/block"));
        Files.createSymbolicLink(sysfs.resolve("class/block/pmem0"), device);
        Files.createDirectories(sysfs.resolve("dev/block"));
        Files.createSymbolicLink(sysfs.resolve("dev/block/259:0"), device);
        resolver = new DeviceResolver(sysfs);
    }

    @Test
    void aKernelNameAndANumberAreOneDevice() {
        DeviceRef expected = new DeviceRef(new DeviceNumber(259, 0), "pmem0");

        assertThat(resolver.resolve("pmem0")).isEqualTo(expected);
        assertThat(resolver.resolve("259:0")).isEqualTo(expected);
    }

    @Test
    void aNameTheKernelGaveIsTakenWithTheCharactersItHas() throws IOException {
        Path device = Files.createDirectories(sysfs.resolve("devices/pci/cciss!c0d0"));
        Files.writeString(device.resolve("dev"), "104:0\n");
        Files.createSymbolicLink(sysfs.resolve("class/block/cciss!c0d0"), device);
        DeviceRef expected = new DeviceRef(new DeviceNumber(104, 0), "cciss!c0d0");

        assertThat(resolver.ofKernelName("cciss!c0d0")).isEqualTo(expected);
        assertThat(resolver.ofKernelName("cciss/c0d0")).isEqualTo(expected);
        assertThat(resolver.resolve("cciss!c0d0")).isEqualTo(expected);
    }

    @Test
    void aKernelNameThatWouldLeaveSysfsIsRefused() {
        for (String name : new String[] {"..", ".", "", "a b"}) {
            assertThatThrownBy(() -> resolver.ofKernelName(name)).as(name)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("device: not a kernel device");
        }
    }

    @Test
    void aGarbledNumberInSysfsIsSaidAsSuch() throws IOException {
        Path device = Files.createDirectories(sysfs.resolve("devices/virtual/block/odd0"));
        Files.writeString(device.resolve("dev"), "not a number\n");
        Files.createSymbolicLink(sysfs.resolve("class/block/odd0"), device);

        assertThatThrownBy(() -> resolver.resolve("odd0")).hasMessageContaining("not major:minor");
    }

    @Test
    void aNameNoDeviceHasIsRefusedNamingIt() {
        assertThatThrownBy(() -> resolver.resolve("pmem7")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device: no block device \"pmem7\"");
        assertThatThrownBy(() -> resolver.resolve("259:7")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device: no block device \"259:7\"");
    }

    @Test
    void textThatIsNoDeviceNameIsRefusedBeforeSysfsIsRead() {
        for (String text : new String[] {"../../etc", "dev/sda", "", ".hidden", "7:", "a b", "/dev/", "/etc/passwd"}) {
            assertThatThrownBy(() -> resolver.resolve(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("device: " + DeviceRef.GRAMMAR_MESSAGE);
        }
    }

    @Test
    void aPathUnderDevIsTheBlockDeviceItLeadsTo() throws IOException {
        try (var devices = Files.list(Path.of("/sys/class/block"))) {
            Path first = devices.filter(entry -> Files.exists(Path.of("/dev", entry.getFileName().toString())))
                    .sorted().findFirst().orElseThrow();
            String name = first.getFileName().toString();

            assertThat(DeviceResolver.system().resolve("/dev/" + name).name()).isEqualTo(name);
            assertThat(DeviceResolver.system().resolve("/dev/../dev/" + name).name()).isEqualTo(name);
        }
    }

    @Test
    void aPathUnderDevThatIsNoBlockDeviceIsRefusedNamingIt() {
        assertThatThrownBy(() -> DeviceResolver.system().resolve("/dev/null"))
                .hasMessage("device: \"/dev/null\" is not a block device");
        assertThatThrownBy(() -> DeviceResolver.system().resolve("/dev/no-such-disk"))
                .hasMessage("device: no block device \"/dev/no-such-disk\"");
    }

    @Test
    void theRealSysfsNamesEveryDeviceItLists() throws IOException {
        try (var devices = Files.list(Path.of("/sys/class/block"))) {
            Path first = devices.sorted().findFirst().orElseThrow();
            String number = Files.readString(first.resolve("dev")).strip();

            DeviceRef byName = DeviceResolver.system().resolve(first.getFileName().toString());

            assertThat(byName.number()).hasToString(number);
            assertThat(DeviceResolver.system().resolve(number)).isEqualTo(byName);
        }
    }
}
