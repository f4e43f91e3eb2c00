package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.UnknownOwner;
import java.time.Instant;
import java.util.List;

/** Damage as the router would hand it to a ledger, for ledger tests that need no filesystem. */
final class LedgerSamples {
    static final DeviceNumber DEVICE = new DeviceNumber(7, 3);
    static final FilesystemRef FILESYSTEM = new FilesystemRef("0b1c-uuid", DEVICE, "/mnt/data", "xfs");
    static final Instant AT = Instant.parse("2026-11-23T10:15:30.123Z");

    private LedgerSamples() {
    }

    /** A block shared by two reflinked files. */
    static Damage sharedBlock(long offset) {
        return new Damage(DEVICE, "loop3", offset, 4096, 5, "kmsg", AT, List.of(
                new AffectedOwner(FILESYSTEM, new FileOwner(131, 7, Fork.DATA, 8192, offset, 4096, true, false),
                        List.of("/projects/a.bin", "/odd\nname\\x")),
                new AffectedOwner(FILESYSTEM, new FileOwner(132, 9, Fork.DATA, 8192, offset, 4096, true, false),
                        List.of("/projects/b.bin"))));
    }

    /** Every other kind of owner at once. */
    static Damage mixed(long offset) {
        return new Damage(DEVICE, "loop3", offset, 3 * 512, 61, "scrub", AT, List.of(
                new AffectedOwner(FILESYSTEM, new MetadataOwner("xfs.log", "journalling log", "xfs_repair", offset, 512),
                        List.of()),
                new AffectedOwner(FILESYSTEM, new FreeSpaceOwner(offset + 512, 512), List.of()),
                new AffectedOwner(FILESYSTEM, new UnknownOwner(offset + 1024, 512, "beyond the end"), List.of())));
    }

    /** Damage no filesystem holds. */
    static Damage unowned(long offset) {
        return new Damage(DEVICE, "loop3", offset, 512, 5, "storm", AT, List.of());
    }

    static FileKey fileA() {
        return new FileKey(FILESYSTEM.uuid(), FILESYSTEM.mountPoint(), 131, 7);
    }

    static AuditEntry audit(String action, String result) {
        return new AuditEntry(AT.plusSeconds(60), "operator", action, fileA(), "/projects/a.bin", result);
    }
}
