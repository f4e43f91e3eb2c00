package io.daxguard.agent.failure;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;

/**
 * One log line at WARNING for every newly damaged file or metadata structure, so syslog and journald alerting
 * sees damage without JMX: path (every name), range, source and device. Known damage reported again, free space
 * and unowned damage are not logged here (the router and the sources log what they do at INFO).
 *
 * <p>Threads: told on whichever thread announces a record (the ledger's durable completion); logging only.
 */
public final class DamageLog implements DamageListener {
    static final System.Logger LOG = System.getLogger("io.daxguard.damage");

    @Override
    public void recorded(DamageRecord record) {
        for (AffectedOwner owner : record.owners()) {
            String line = line(record, owner);
            if (!line.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, line);
            }
        }
    }

    /** The line for one owner; empty for owners that are not a file or metadata. */
    static String line(DamageRecord record, AffectedOwner owner) {
        // Damage to one copy of data kept elsewhere too is said to be so: no data is lost.
        String copy = owner.state() == io.daxguard.agent.ledger.DamageState.REDUNDANT
                ? "; one copy only, data intact on another copy: daxguard repair " + owner.filesystem().mountPoint()
                : "";
        String where = " on " + record.deviceName() + " bytes " + owner.owner().physicalOffset() + "+"
                + owner.owner().length() + " (errno " + record.errno() + ", source " + record.source()
                + (record.inheritedFrom() == 0 ? "" : ", inherited from record " + record.inheritedFrom()) + copy + ")";
        LinuxPath mount = LinuxPath.fromDisplay(owner.filesystem().mountPoint());
        if (owner.owner() instanceof FileOwner file) {
            String names = owner.paths().isEmpty() ? mount.display() + " inode " + file.inode() + " (no name)"
                    : String.join(", ", owner.paths().stream()
                            .map(path -> LinuxPath.joinDisplayed(mount.display(), path)).toList());
            return "damaged file " + names + " " + file.fork().name().toLowerCase() + " file bytes "
                    + file.fileOffset() + "+" + file.length() + where;
        }
        if (owner.owner() instanceof MetadataOwner metadata) {
            return "damaged metadata of " + mount.display() + ": " + metadata.description() + " (" + metadata.kind()
                    + ")" + where + ". " + metadata.repairHint();
        }
        return "";
    }
}
