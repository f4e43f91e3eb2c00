package io.daxguard.agent.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.LinuxPath;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The WARNING line syslog and journald alerting read (found by trying the agent as an adversary, branch
 * i12-attack). Any user who can create a file can choose its name; a name is bytes, and a newline or an escape is
 * a valid byte of it. Seen by hand: {@code touch "$(printf 'bad\xff\x01name\n"q')"} on a watched XFS, its sector
 * reported: the log line was cut in two at the newline and the 0x01 went out raw (only the 0xff was escaped); the
 * same in {@code daxguard status} and the {@code report} answer (a name holding ESC sequences writes to the
 * operator's terminal). A name like {@code x\n2026-... WARNING io.daxguard.damage: damaged file /etc/shadow ...}
 * forges an alert.
 */
class DamageLogTest {
    private static final DeviceNumber DEVICE = new DeviceNumber(7, 3);
    private static final FilesystemRef FS = new FilesystemRef("uuid-a", DEVICE, "/srv", "xfs");

    @Test
    void aFileNameHoldingANewlineAndControlBytesStaysOnOneLogLineWithNoControlCharacters() {
        byte[] name = "/x\n2026-12-03T04:43:28+0000 WARNING io.daxguard.damage: damaged file /etc/shadow\u001b[2J"
                .getBytes(StandardCharsets.UTF_8);
        String displayed = new LinuxPath(name).display();
        FileOwner file = new FileOwner(131, 1, Fork.DATA, 0, 4096, 4096, false, false);
        DamageRecord record = new DamageRecord(1, DEVICE, "loop3", 4096, 4096, 5, "kmsg", Instant.EPOCH,
                Instant.EPOCH, 1, List.of(new AffectedOwner(FS, file, List.of(displayed))), DamageState.OPEN, 0, "");

        String line = DamageLog.line(record, record.owners().get(0));

        assertThat(line.chars().filter(Character::isISOControl).count()).as(line).isZero();
    }
}
