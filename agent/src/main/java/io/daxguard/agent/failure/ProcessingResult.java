package io.daxguard.agent.failure;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What one failure tuple led to.
 *
 * @param recorded     new damage records
 * @param alreadyKnown open records that already covered a piece of the tuple
 */
public record ProcessingResult(List<DamageRecord> recorded, List<DamageRecord> alreadyKnown) {
    /** Names one summary lists of each kind; the rest are counted (status, events and the MBeans list them all). */
    static final int NAMES_SHOWN = 20;

    public ProcessingResult {
        recorded = List.copyOf(Objects.requireNonNull(recorded, "recorded is null"));
        alreadyKnown = List.copyOf(Objects.requireNonNull(alreadyKnown, "alreadyKnown is null"));
    }

    /** One line for an operator: what was hit. */
    public String summary() {
        TreeSet<String> files = new TreeSet<>();
        TreeSet<String> metadata = new TreeSet<>();
        long freeBytes = 0;
        long unownedBytes = 0;
        for (DamageRecord record : recorded) {
            if (record.unowned()) {
                unownedBytes += record.length();
            }
            for (AffectedOwner affected : record.owners()) {
                if (affected.owner() instanceof FileOwner file) {
                    String mountPoint = affected.filesystem().mountPoint();
                    files.add(affected.paths().isEmpty() ? mountPoint + " inode " + file.inode() + " (no name)"
                            : LinuxPath.joinDisplayed(mountPoint, affected.paths().get(0)));
                } else if (affected.owner() instanceof MetadataOwner meta) {
                    metadata.add(affected.filesystem().mountPoint() + " " + meta.description());
                } else if (affected.owner() instanceof FreeSpaceOwner free) {
                    freeBytes += free.length();
                }
            }
        }
        if (recorded.isEmpty()) {
            return alreadyKnown.isEmpty() ? "nothing recorded" : "already known: " + alreadyKnown.size() + " record(s)";
        }
        StringBuilder text = new StringBuilder();
        text.append(files.size()).append(" damaged file(s)");
        if (!files.isEmpty()) {
            text.append(": ").append(firstNames(files));
        }
        text.append("; ").append(metadata.size()).append(" metadata structure(s)");
        if (!metadata.isEmpty()) {
            text.append(": ").append(firstNames(metadata));
        }
        if (freeBytes > 0) {
            text.append("; ").append(freeBytes).append(" bytes of free space");
        }
        if (unownedBytes > 0) {
            text.append("; ").append(unownedBytes).append(" bytes held by no filesystem");
        }
        if (!alreadyKnown.isEmpty()) {
            text.append("; ").append(alreadyKnown.size()).append(" piece(s) already known");
        }
        return text.toString();
    }

    private static String firstNames(TreeSet<String> names) {
        String shown = String.join(", ", names.stream().limit(NAMES_SHOWN).toList());
        return names.size() <= NAMES_SHOWN ? shown : shown + " and " + (names.size() - NAMES_SHOWN) + " more";
    }
}
