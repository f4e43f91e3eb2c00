package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The name a file gets in the quarantine directory: identity prefix, own name bytes, never over NAME_MAX. */
class QuarantineNameTest {
    private static final long INODE = 133;
    private static final long GENERATION = 3_948_204_352L;

    @Test
    void aShortNameIsKeptWholeAfterTheIdentityPrefix() {
        LinuxPath name = LinuxPath.ofText("data.bin");

        assertThat(Quarantine.quarantineName(INODE, GENERATION, name).display()).isEqualTo("133-3948204352-data.bin");
    }

    @Test
    void aNameOfNameMaxBytesIsCutToFitNameMax() {
        LinuxPath name = LinuxPath.ofText("q".repeat(Quarantine.NAME_MAX));

        LinuxPath target = Quarantine.quarantineName(INODE, GENERATION, name);

        assertThat(target.length()).isEqualTo(Quarantine.NAME_MAX);
    }

    @Test
    void theCutKeepsTheIdentityPrefixAndTheNamesFirstBytes() {
        LinuxPath name = LinuxPath.ofText("a".repeat(200) + "b".repeat(55));

        String target = Quarantine.quarantineName(INODE, GENERATION, name).display();

        assertThat(target).isEqualTo("133-3948204352-" + "a".repeat(200) + "b".repeat(40));
    }

    @Test
    void theCutNeverSplitsAUtf8Character() {
        // 15 prefix bytes + 239 ASCII bytes leave one byte: not enough for the two-byte "é", so it is left out.
        LinuxPath name = LinuxPath.of(("x".repeat(239) + "é".repeat(10)).getBytes(StandardCharsets.UTF_8));

        byte[] target = Quarantine.quarantineName(INODE, GENERATION, name).bytes();

        assertThat(new String(target, StandardCharsets.UTF_8)).isEqualTo("133-3948204352-" + "x".repeat(239));
    }

    @Test
    void theSameFileAlwaysGetsTheSameName() {
        LinuxPath name = LinuxPath.ofText("z".repeat(250));

        assertThat(Quarantine.quarantineName(INODE, GENERATION, name))
                .isEqualTo(Quarantine.quarantineName(INODE, GENERATION, name));
    }

    @Test
    void anotherHardLinkOfTheFileGetsItsIndexAfterTheGeneration() {
        LinuxPath name = LinuxPath.ofText("data.bin");

        assertThat(Quarantine.quarantineName(INODE, GENERATION, 2, name).display())
                .isEqualTo("133-3948204352.2-data.bin");
    }

    @Test
    void twoNamesOfTheFileNeverGetTheSameQuarantineName() {
        LinuxPath name = LinuxPath.ofText("data.bin");

        assertThat(Quarantine.quarantineName(INODE, GENERATION, 0, name))
                .isNotEqualTo(Quarantine.quarantineName(INODE, GENERATION, 1, name));
        assertThat(Quarantine.quarantineName(INODE, GENERATION, 0, LinuxPath.ofText("1-data.bin")))
                .isNotEqualTo(Quarantine.quarantineName(INODE, GENERATION, 1, name));
    }

    @Test
    void theAuditEntryGivesBackEveryNameWithQuotesAndNonUtf8BytesInIt() {
        QuarantinedName quoted = new QuarantinedName("/dir/a \" to \"/x\" (directory inode 1, generation 2) to \"",
                12, 34, "133-3948204352-a");
        QuarantinedName latin1 = new QuarantinedName("/caf\\xe9/b\\\\", 56, 78, "133-3948204352.1-b\\\\");
        String result = "moved all 2 names of the file: " + quoted.written() + ", " + latin1.written() + " (on "
                + QuarantinedName.quoted("/mnt/\"odd\"") + "); 1 open range(s) closed as QUARANTINED";

        assertThat(QuarantinedName.readFrom(result)).containsExactly(quoted, latin1);
    }
}
