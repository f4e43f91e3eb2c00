package io.daxguard.agent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** `daxguard demo` run once: what it shows, and that it leaves nothing behind. */
@Tag("mount")
class DemoTest {
    private static int exitCode;
    private static String out;
    private static String err;

    @BeforeAll
    static void runTheDemo() {
        Privileges.requireRootLoopAnd("mkfs.xfs", "mkfs.ext4");
        StringWriter outText = new StringWriter();
        StringWriter errText = new StringWriter();
        exitCode = Demo.run(new PrintWriter(outText), new PrintWriter(errText));
        out = outText.toString();
        err = errText.toString();
    }

    private static String directory() {
        Matcher matcher = Pattern.compile("under (\\S+daxguard-demo-\\d+)").matcher(out);
        assertThat(matcher.find()).as("demo directory in:\n%s", out).isTrue();
        return matcher.group(1);
    }

    @Test
    void theDemoSucceeds() {
        assertThat(exitCode).as("stderr: %s", err).isZero();
    }

    @Test
    void itShowsBothSharersOfTheReflinkedBlockDamaged() {
        assertThat(out).contains("/xfs/reports/q3.pdf  (inode").contains("/xfs/reports/q3-copy.pdf  (inode");
    }

    @Test
    void itHoldsOnlyItsOwnScratchFilesystems() {
        // The host's own filesystems (/ at least) are mounted too; the demo must not index or list them.
        List<String> held = out.lines().filter(line -> line.startsWith("  filesystem: "))
                .map(line -> line.substring("  filesystem: ".length())).toList();

        assertThat(held).hasSize(2).allSatisfy(mountPoint -> assertThat(mountPoint).startsWith(directory()));
    }

    @Test
    void itShowsTheSuperblockAsMetadataDamage() {
        assertThat(out).contains("static fs metadata (superblock and AG headers");
    }

    @Test
    void itLeavesNoMountLoopDeviceOrDirectoryBehind() throws Exception {
        String directory = directory();

        assertThat(Files.readString(Path.of("/proc/self/mounts"), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(directory);
        assertThat(Command.run("losetup", "--all")).doesNotContain(directory);
        assertThat(Path.of(directory)).doesNotExist();
    }
}
