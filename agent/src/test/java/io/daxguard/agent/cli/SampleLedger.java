package io.daxguard.agent.cli;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Ledgers written by the real ledger code into a test's state directory, as an agent's router and repairs would
 * write them, and the {@code daxguard} command run in-process against them.
 */
final class SampleLedger {
    static final DeviceNumber DEVICE = new DeviceNumber(7, 3);
    static final FilesystemRef DATA = new FilesystemRef("1111-data", DEVICE, "/srv/data", "xfs");
    static final FilesystemRef OLD = new FilesystemRef("2222-old", DEVICE, "/srv/old", "ext4");

    /** What a command printed and returned. */
    record Outcome(int exitCode, String out, String err) {
    }

    private SampleLedger() {
    }

    static SqliteDamageLedger open(Path state) {
        return SqliteDamageLedger.open(state, LedgerSettings.defaults(), Clock.systemUTC());
    }

    static Outcome daxguard(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DaxguardCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(code, out.toString(), err.toString());
    }

    /** The data of file {@code path} (inode {@code inode}, generation 1) at device byte {@code offset}. */
    static Damage file(FilesystemRef filesystem, String path, long inode, long offset, Instant at) {
        return new Damage(DEVICE, "loop3", offset, 4096, 5, "kmsg", at, List.of(new AffectedOwner(filesystem,
                new FileOwner(inode, 1, Fork.DATA, 8192, offset, 4096, false, false), List.of(path))));
    }

    static Damage metadata(FilesystemRef filesystem, long offset, Instant at) {
        return new Damage(DEVICE, "loop3", offset, 512, 5, "scrub", at, List.of(new AffectedOwner(filesystem,
                new MetadataOwner("xfs.log", "journalling log", "Unmount /srv/data and run xfs_repair /dev/loop3.",
                        offset, 512), List.of())));
    }

    static Damage free(FilesystemRef filesystem, long offset, Instant at) {
        return new Damage(DEVICE, "loop3", offset, 4096, 5, "scrub", at, List.of(new AffectedOwner(filesystem,
                new FreeSpaceOwner(offset, 4096), List.of())));
    }

    static Damage unowned(long offset, Instant at) {
        return new Damage(DEVICE, "loop3", offset, 512, 61, "badblocks", at, List.of());
    }

    /** Closes every owner of {@code record} as {@code state}, audited as {@code action} by {@code principal}. */
    static void close(SqliteDamageLedger ledger, DamageRecord record, DamageState state, String action,
                      String principal, Instant at) {
        AffectedOwner owner = record.owners().get(0);
        FileKey file = owner.fileKey().orElse(FileKey.NONE);
        ledger.change(List.of(new StateChange(record.id(), 0, state, null)), new AuditEntry(at, principal, action, file,
                owner.paths().isEmpty() ? "" : owner.paths().get(0), "ok: " + state));
    }
}
