package io.daxguard.agent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ledger's indexes by file and by range answer what a filter of every record would, through state changes: a
 * view of one file reads them instead of the whole ledger.
 */
class LedgerFileIndexTest {
    private static final DeviceNumber DEVICE = new DeviceNumber(7, 98);
    private static final FilesystemRef FILESYSTEM = new FilesystemRef("6461786a-0000-4000-8000-000000000015", DEVICE,
            "/mnt/data", "ext4");
    private static final Instant AT = Instant.parse("2026-12-03T00:00:00Z");
    private static final AuditEntry AUDIT = new AuditEntry(AT, "test", "acknowledgeLoss", FileKey.NONE, "", "ok");

    private static AffectedOwner file(long inode, long physical, long length) {
        return new AffectedOwner(FILESYSTEM, new FileOwner(inode, 3, Fork.DATA, 0, physical, length, false, false),
                List.of("/f" + inode));
    }

    private static Damage damage(long offset, long length, AffectedOwner... owners) {
        return new Damage(DEVICE, "loop98", offset, length, 5, "test", AT, List.of(owners));
    }

    private static FileKey key(long inode) {
        return new FileKey(FILESYSTEM.uuid(), "/elsewhere", inode, 3);
    }

    @Test
    void recordsNamingAFileAreItsRecordsInAnyStateOldestFirst() {
        InMemoryDamageLedger ledger = new InMemoryDamageLedger();
        DamageRecord first = ledger.record(damage(0, 4096, file(12, 0, 4096)));
        ledger.record(damage(4096, 4096, file(13, 4096, 4096)));
        DamageRecord third = ledger.record(damage(8192, 8192, file(13, 8192, 4096), file(12, 12288, 4096)));
        ledger.record(damage(65536, 4096, new AffectedOwner(FILESYSTEM, new FreeSpaceOwner(65536, 4096), List.of())));

        ledger.change(List.of(new StateChange(first.id(), 0, DamageState.ACKNOWLEDGED, null)), AUDIT);

        assertEquals(List.of(first.id(), third.id()), ids(ledger.recordsNaming(key(12))));
        assertEquals(DamageState.ACKNOWLEDGED, ledger.recordsNaming(key(12)).get(0).owners().get(0).state(),
                "the record as it is now");
        assertEquals(List.of(), ledger.recordsNaming(new FileKey(FILESYSTEM.uuid(), "/mnt/data", 12, 4)),
                "another generation is another file");
    }

    @Test
    void recordsOverlappingARangeAreEveryRecordWithAByteInItInAnyState() {
        InMemoryDamageLedger ledger = new InMemoryDamageLedger();
        DamageRecord longOne = ledger.record(damage(0, 1 << 20, file(20, 0, 1 << 20)));
        DamageRecord touching = ledger.record(damage(1 << 20, 4096, file(21, 1 << 20, 4096)));
        ledger.record(damage(2 << 20, 4096, file(22, 2 << 20, 4096)));
        ledger.change(List.of(new StateChange(longOne.id(), 0, DamageState.ACKNOWLEDGED, null)), AUDIT);

        assertEquals(List.of(longOne.id()), ids(ledger.recordsOverlapping(DEVICE, 512 * 1024, 4096)),
                "a record starting long before the range reaches into it");
        assertEquals(List.of(longOne.id(), touching.id()),
                ids(ledger.recordsOverlapping(DEVICE, (1 << 20) - 4096, 8192)));
        assertEquals(List.of(), ids(ledger.recordsOverlapping(DEVICE, (1 << 20) + 4096, 4096)), "the gap after");
        assertEquals(List.of(), ids(ledger.recordsOverlapping(new DeviceNumber(7, 97), 0, 1 << 30)), "another device");
    }

    private static List<Long> ids(List<DamageRecord> records) {
        return records.stream().map(DamageRecord::id).toList();
    }
}
