package io.daxguard.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** btrfs's kernel lines, as Linux 6.18 wrote them on this machine (raid1 over loop0 and loop1). */
class BtrfsLogLineTest {
    private static final int SECTOR = 4096;

    @Test
    void scrubsChecksumErrorNamesTheStripeElementOnTheDevice() {
        String line = "BTRFS warning (device loop0): scrub: checksum error at logical 88145920 on dev /dev/loop1,"
                + " physical 67174400 root 5 inode 257 offset 0 length 4096 links 1 (path: f)";

        assertThat(BtrfsLogLine.parse(line, SECTOR)).contains(new BtrfsLogLine.OnDevice("loop0", "/dev/loop1",
                67174400, 65536, line.substring(line.indexOf("scrub:"))));
    }

    @Test
    void scrubsUnableToFixupAndFixedUpNameTheStripeElementOnTheDevice() {
        assertThat(BtrfsLogLine.parse("BTRFS error (device loop0): scrub: unable to fixup (regular) error at logical"
                + " 88145920 on dev /dev/loop0 physical 88145920", SECTOR))
                .hasValueSatisfying(parsed -> assertThat(parsed).isInstanceOfSatisfying(BtrfsLogLine.OnDevice.class,
                        d -> assertThat(d.devicePath() + " " + d.physical() + " " + d.length())
                                .isEqualTo("/dev/loop0 88145920 65536")));
        assertThat(BtrfsLogLine.parse("BTRFS error (device loop0): scrub: fixed up error at logical 260112384 on dev"
                + " /dev/loop0 physical 67174400", SECTOR))
                .hasValueSatisfying(parsed -> assertThat(parsed).isInstanceOfSatisfying(BtrfsLogLine.OnDevice.class,
                        d -> assertThat(d.devicePath() + " " + d.physical()).isEqualTo("/dev/loop0 67174400")));
    }

    @Test
    void aCorrectedReadErrorNamesItsSectorInHalfKilobytes() {
        String line = "BTRFS info (device loop0): read error corrected: ino 257 off 4096 (dev /dev/loop1 sector"
                + " 131208)";

        assertThat(BtrfsLogLine.parse(line, SECTOR)).contains(new BtrfsLogLine.OnDevice("loop0", "/dev/loop1",
                131208L * 512, SECTOR, "read error corrected: ino 257 off 4096 (dev /dev/loop1 sector 131208)"));
    }

    @Test
    void aChecksumFailureNamesAFileSectorAndItsMirror() {
        String line = "BTRFS warning (device loop0): csum failed root 5 ino 257 off 4096 csum 0x300da647 expected csum"
                + " 0x0426ff92 mirror 2";

        assertThat(BtrfsLogLine.parse(line, SECTOR)).contains(new BtrfsLogLine.InFile("loop0", 5, 257, 4096, 2,
                line.substring(line.indexOf("csum failed"))));
    }

    @Test
    void thePrefixMayCarryTheFilesystemsStateAndTheLineATimestamp() {
        String line = "[ 1478.117265] BTRFS warning (device loop7: state EA): scrub: checksum error at logical 1 on"
                + " dev /dev/loop7, physical 1048576 root 5 inode 257 offset 0 length 4096 links 1 (path: f)";

        assertThat(BtrfsLogLine.parse(line, SECTOR)).hasValueSatisfying(parsed ->
                assertThat(parsed.filesystemDevice()).isEqualTo("loop7"));
    }

    @Test
    void linesThatPlaceNoBytesAreNotFailures() {
        assertThat(BtrfsLogLine.parse("BTRFS error (device loop0): bdev /dev/loop0 errs: wr 0, rd 1, flush 0,"
                + " corrupt 0, gen 0", SECTOR)).isEmpty();
        assertThat(BtrfsLogLine.parse("BTRFS info (device loop0): scrub: started on devid 1", SECTOR)).isEmpty();
        assertThat(BtrfsLogLine.parse("I/O error, dev loop0, sector 131304 op 0x0:(READ) flags 0x0 phys_seg 19 prio"
                + " class 2", SECTOR)).isEmpty();
        assertThat(BtrfsLogLine.parse("XFS (loop3): metadata I/O error in \"xfs_da_read_buf+0xe1/0x140\"", SECTOR))
                .isEmpty();
    }

    @Test
    void aScrubsLineIsFoundByScrubAndACorrectedReadIsNot() {
        BtrfsLogLine.OnDevice scrubbed = (BtrfsLogLine.OnDevice) BtrfsLogLine.parse("BTRFS error (device loop0): scrub:"
                + " fixed up error at logical 260112384 on dev /dev/loop0 physical 67174400", SECTOR).orElseThrow();
        BtrfsLogLine.OnDevice read = (BtrfsLogLine.OnDevice) BtrfsLogLine.parse("BTRFS info (device loop0): read error"
                + " corrected: ino 257 off 4096 (dev /dev/loop1 sector 131208)", SECTOR).orElseThrow();

        assertThat(scrubbed.byScrub()).isTrue();
        assertThat(read.byScrub()).isFalse();
    }
}
