package io.daxguard.agent.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountTableTest {
    @TempDir
    Path directory;

    private static Mount parse(String line) {
        return MountTable.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void parsesAMountWithOptionalFields() {
        Mount mount = parse("36 35 7:3 / /mnt/data rw,noatime shared:1 master:2 - xfs /dev/loop3 rw,attr2,inode64");

        assertThat(mount).isEqualTo(new Mount(36, new DeviceNumber(7, 3), "/", LinuxPath.ofText("/mnt/data"), "xfs",
                "/dev/loop3", "rw,noatime,rw,attr2,inode64"));
    }

    @Test
    void decodesOctalEscapesInPaths() {
        Mount mount = parse("40 35 8:2 /sub\\040dir /mnt/my\\040data rw - ext4 /dev/sda2 rw");

        assertThat(mount.mountPoint()).isEqualTo(LinuxPath.ofText("/mnt/my data"));
        assertThat(mount.root()).isEqualTo("/sub dir");
    }

    @Test
    void keepsTheBytesOfAMountPointThatIsNotUtf8() {
        Mount mount = MountTable.parse(latin1("42 35 7:4 / /mnt/caf\u00e9\\040bar rw - xfs /dev/loop4 rw"));

        assertThat(mount.mountPoint()).isEqualTo(LinuxPath.of(latin1("/mnt/caf\u00e9 bar")));
        assertThat(mount.mountPoint().display()).isEqualTo("/mnt/caf\\xe9 bar");
    }

    @Test
    void aBindMountOfASubdirectoryDoesNotShowTheWholeFilesystem() {
        Mount mount = parse("41 35 8:2 /exports /srv rw - ext4 /dev/sda2 rw");

        assertThat(mount.showsWholeFilesystem()).isFalse();
    }

    @Test
    void rejectsALineWithoutTheSeparator() {
        assertThatThrownBy(() -> parse("36 35 7:3 / /mnt rw xfs /dev/loop3 rw"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unexpected shape");
    }

    @Test
    void skipsALineItCannotParseAndKeepsEveryOtherMount() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes(latin1("36 35 7:3 / /mnt/first rw - xfs /dev/loop3 rw\n"));
        text.writeBytes(latin1("37 35 garbage that is not a mount \u00ff\u00fe\n"));
        text.writeBytes(latin1("38 35 7:5 / relative/mount/point rw - xfs /dev/loop5 rw\n"));
        text.writeBytes(latin1("39 35 7:4 / /mnt/caf\u00e9 rw - ext4 /dev/loop4 rw\n"));
        Path mountinfo = Files.write(directory.resolve("mountinfo"), text.toByteArray());

        assertThat(MountTable.read(mountinfo)).extracting(Mount::mountPoint).extracting(LinuxPath::display)
                .containsExactly("/mnt/first", "/mnt/caf\\xe9");
    }

    @Test
    void readsMountsFromAFileWithBytesThatAreNotUtf8() throws Exception {
        Path mountinfo = Files.write(directory.resolve("mountinfo"),
                latin1("39 35 7:4 / /mnt/caf\u00e9 rw - ext4 /dev/loop4 rw\n"));

        Topology topology = new Topology(java.util.List.of(), MountTable.read(mountinfo));

        assertThat(topology.primaryMount(new DeviceNumber(7, 4))).map(Mount::mountPoint)
                .contains(LinuxPath.of(latin1("/mnt/caf\u00e9")));
    }
}
