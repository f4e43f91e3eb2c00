package io.daxguard.agent.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.ledger.LedgerHealth;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.recovery.FileNames;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DamagedFile attribute read costs that file's records, not a regroup of the ledger: with 100,000 open records of
 * 20,000 files in the agent's own ledger (SQLite), reading one file's attributes is handed only the records that name
 * it (and, for SharedWith, the records over its shared blocks and the sharers' own records), counted by a ledger that
 * passes every call on to the real one and counts the records each call hands out.
 */
class DamagedFileAttributeCostTest {
    private static final int RECORDS = 100_000;
    private static final int FILES = 20_000;
    private static final int RECORDS_PER_FILE = RECORDS / FILES;
    private static final long BLOCK = 4096;
    private static final DeviceNumber DEVICE = new DeviceNumber(7, 99);
    private static final FilesystemRef FILESYSTEM = new FilesystemRef("6461786a-0000-4000-8000-000000000014", DEVICE,
            "/mnt/data", "xfs");
    /** The file whose MBean is read; it shares its last damaged block with {@link #SHARER}. */
    private static final long INODE = 1000;
    private static final long SHARER = 1_000_000;

    @TempDir
    static Path state;
    private static SqliteDamageLedger sqlite;

    @BeforeAll
    static void fillLedger() {
        sqlite = SqliteDamageLedger.open(state, LedgerSettings.defaults(), Clock.systemUTC());
        Instant at = Instant.parse("2026-12-03T00:00:00Z");
        CompletableFuture<DamageRecord> last = null;
        for (int i = 0; i < RECORDS; i++) {
            long inode = 100 + i % FILES;
            long offset = i * BLOCK;
            List<AffectedOwner> owners = new ArrayList<>();
            boolean shared = inode == INODE && i / FILES == RECORDS_PER_FILE - 1;
            owners.add(owner(inode, (long) (i / FILES) * BLOCK, offset, shared));
            if (shared) {
                owners.add(owner(SHARER, 0, offset, true));
            }
            last = sqlite.recordAsync(new Damage(DEVICE, "loop99", offset, BLOCK, 5, "test", at, owners));
        }
        last.join();
    }

    @AfterAll
    static void closeLedger() {
        sqlite.close();
    }

    private static AffectedOwner owner(long inode, long fileOffset, long physical, boolean shared) {
        return new AffectedOwner(FILESYSTEM, new FileOwner(inode, 1, Fork.DATA, fileOffset, physical, BLOCK, shared,
                false), List.of("/file" + inode));
    }

    private static DamagedFileBean beanOf(DamageLedger ledger, long inode) {
        FileKey key = new FileKey(FILESYSTEM.uuid(), FILESYSTEM.mountPoint(), inode, 1, DEVICE, "");
        Clock clock = Clock.systemUTC();
        return new DamagedFileBean(key, ledger, new FileNames(ledger, List::of, clock), RecoverySettings.defaults(),
                clock);
    }

    @Test
    void damagedRangesReadOnlyTheFilesOwnRecords() {
        CountingLedger counting = new CountingLedger(sqlite);
        DamagedFileBean bean = beanOf(counting, INODE);

        List<DamagedRangeView> ranges = bean.getDamagedRanges();
        long handedOut = counting.handedOut.get();

        System.out.printf("DamagedRanges of one file among %,d open records: %d records handed out; %s%n", RECORDS,
                handedOut, timed(bean::getDamagedRanges));
        assertEquals(RECORDS_PER_FILE, ranges.size(), "the file's ranges");
        assertEquals(RECORDS_PER_FILE, handedOut, "records the read was handed, of " + RECORDS);
    }

    @Test
    void stateAndBytesReadOnlyTheFilesOwnRecords() {
        CountingLedger counting = new CountingLedger(sqlite);
        DamagedFileBean bean = beanOf(counting, INODE + 1);

        assertEquals("OPEN", bean.getState());
        assertEquals(RECORDS_PER_FILE * BLOCK, bean.getDamagedBytes());
        assertEquals(2L * RECORDS_PER_FILE, counting.handedOut.get(), "records two reads were handed, of " + RECORDS);
    }

    @Test
    void sharedWithReadsTheRecordsOverTheSharedBlockAndTheSharersOwn() {
        CountingLedger counting = new CountingLedger(sqlite);
        DamagedFileBean bean = beanOf(counting, INODE);

        List<String> sharers = bean.getSharedWith();
        long handedOut = counting.handedOut.get();

        System.out.printf("SharedWith of one file among %,d open records: %d records handed out; %s%n", RECORDS,
                handedOut, timed(bean::getSharedWith));
        assertEquals(List.of("/file" + SHARER), sharers);
        // Its own records, the one record over its shared block, the sharer's one record.
        assertTrue(handedOut <= RECORDS_PER_FILE + 2, "records the read was handed: " + handedOut + " of " + RECORDS);
    }

    /** What one read costs once the code is warm, for the report (not asserted: a figure, not a behaviour). */
    private static String timed(java.util.function.Supplier<?> read) {
        long[] nanos = new long[1000];
        for (int i = 0; i < nanos.length; i++) {
            long started = System.nanoTime();
            read.get();
            nanos[i] = System.nanoTime() - started;
        }
        java.util.Arrays.sort(nanos);
        return String.format("one read: median %d us, 99th percentile %d us (of %d)", nanos[nanos.length / 2] / 1000,
                nanos[nanos.length * 99 / 100] / 1000, nanos.length);
    }

    /** The real ledger, counting the records each read hands out; a whole-ledger read counts every record. */
    private static final class CountingLedger implements DamageLedger {
        private final DamageLedger ledger;
        final AtomicLong handedOut = new AtomicLong();

        CountingLedger(DamageLedger ledger) {
            this.ledger = ledger;
        }

        private <T> List<T> counted(List<T> records) {
            handedOut.addAndGet(records.size());
            return records;
        }

        @Override
        public List<DamageRecord> records() {
            return counted(ledger.records());
        }

        @Override
        public List<DamageRecord> recordsNaming(FileKey file) {
            return counted(ledger.recordsNaming(file));
        }

        @Override
        public List<DamageRecord> recordsOverlapping(DeviceNumber device, long offset, long length) {
            return counted(ledger.recordsOverlapping(device, offset, length));
        }

        @Override
        public Optional<DamageRecord> find(long id) {
            handedOut.incrementAndGet();
            return ledger.find(id);
        }

        @Override
        public CompletableFuture<DamageRecord> recordAsync(Damage damage) {
            return ledger.recordAsync(damage);
        }

        @Override
        public Optional<DamageRecord> findOpenCovering(DeviceNumber device, long offset, long length) {
            return ledger.findOpenCovering(device, offset, length);
        }

        @Override
        public DamageRecord seenAgain(long id, Instant at) {
            return ledger.seenAgain(id, at);
        }

        @Override
        public List<DamageRecord> change(List<StateChange> changes, AuditEntry audit) {
            return ledger.change(changes, audit);
        }

        @Override
        public CompletableFuture<List<DamageRecord>> changeAsync(List<StateChange> changes, AuditEntry audit) {
            return ledger.changeAsync(changes, audit);
        }

        @Override
        public void audit(AuditEntry entry) {
            ledger.audit(entry);
        }

        @Override
        public List<AuditEntry> history(FileKey file) {
            return ledger.history(file);
        }

        @Override
        public LedgerHealth health() {
            return ledger.health();
        }

        @Override
        public void close() {
            // The real ledger is closed by the test class.
        }
    }
}
