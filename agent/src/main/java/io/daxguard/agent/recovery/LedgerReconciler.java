package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent checks after replaying the ledger, before it announces anything, and again every
 * {@link RecoverySettings#identityCheckInterval()} while it runs (so a file deleted after detection stops being
 * listed as damaged and its freed blocks stop counting as known damage): every file with open damage still exists
 * as the same inode and generation. A file found under another name (renamed while the agent was down) keeps its
 * record, which follows it; a file that no longer exists becomes FILE_GONE, audited, never silently dropped. A
 * filesystem not mounted now is left as it is. (Damage listed in sysfs {@code badblocks} while the agent was down
 * is found by the badblocks source's first scan.) The file's bytes stay bad: the caller has the records it closed
 * resolved again ({@code route.DeviceHistory.ownersGone}).
 */
public final class LedgerReconciler {
    private static final System.Logger LOG = System.getLogger(LedgerReconciler.class.getName());
    static final String PRINCIPAL = "agent";

    private LedgerReconciler() {
    }

    /** Checks every file with open damage; returns the records whose file owners became FILE_GONE. */
    public static List<Long> checkFiles(DamageLedger ledger, List<AttachedFilesystem> filesystems, Clock clock) {
        Map<AttachedFilesystem, List<DamagedFile>> lost = new HashMap<>();
        for (DamagedFile file : DamagedFile.group(ledger.records())) {
            if (file.openHits().isEmpty()) {
                continue;
            }
            Optional<AttachedFilesystem> filesystem = FileNames.mounted(filesystems, file.key());
            if (filesystem.isEmpty()) {
                continue; // not mounted now: nothing can be said about the file
            }
            LinuxPath mount = filesystem.get().mount().mountPoint();
            if (file.paths().stream().noneMatch(path -> isStill(mount, path, file.key()))) {
                lost.computeIfAbsent(filesystem.get(), fs -> new ArrayList<>()).add(file);
            }
        }
        List<Long> gone = new ArrayList<>();
        for (Map.Entry<AttachedFilesystem, List<DamagedFile>> entry : lost.entrySet()) {
            LinuxPath mount = entry.getKey().mount().mountPoint();
            Map<FileKey, List<String>> found;
            try {
                // FilePaths walks again when a known name no longer leads to the inode (a rename).
                found = FileNames.pathsOf(entry.getKey().paths(), entry.getValue().stream().map(DamagedFile::key)
                        .toList());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot walk " + mount + " to find renamed damaged files: "
                        + e.getMessage() + "; they stay open");
                continue;
            }
            for (DamagedFile file : entry.getValue()) {
                List<String> names = found.getOrDefault(file.key(), List.of()).stream()
                        .filter(path -> isStill(mount, path, file.key())).toList();
                if (changedMeanwhile(ledger, file)) {
                    continue; // repaired or moved by an operator while we looked: their record stands
                }
                if (names.isEmpty()) {
                    markGone(ledger, file, mount, clock);
                    file.openHits().forEach(hit -> gone.add(hit.record().id()));
                } else {
                    follow(ledger, file, names, clock);
                }
            }
        }
        return gone;
    }

    private static boolean changedMeanwhile(DamageLedger ledger, DamagedFile seen) {
        return DamagedFile.of(seen.key(), ledger.recordsNaming(seen.key()))
                .map(now -> !now.paths().equals(seen.paths()) || now.openHits().size() != seen.openHits().size())
                .orElse(true);
    }

    private static boolean isStill(LinuxPath mount, String path, FileKey key) {
        return FileNames.statusIfStill(mount, path, key).isPresent();
    }

    private static void markGone(DamageLedger ledger, DamagedFile file, LinuxPath mount, Clock clock) {
        String result = "file-gone: inode " + file.key().inode() + " generation " + file.key().generation()
                + " no longer exists on " + mount + " (deleted, or replaced by another file); its damage is kept on "
                + "record as FILE_GONE";
        try {
            ledger.change(file.openHits().stream().map(hit -> new StateChange(hit.record().id(), hit.ownerIndex(),
                    DamageState.FILE_GONE, null)).toList(), new AuditEntry(clock.instant(), PRINCIPAL, "identity check",
                    file.key(), file.displayPath(), result));
        } catch (IllegalStateException notYetDurable) {
            // Applied in memory; the ledger writes it when it can and says so in its health.
            LOG.log(System.Logger.Level.WARNING, notYetDurable.getMessage());
        }
        LOG.log(System.Logger.Level.WARNING, LinuxPath.joinDisplayed(mount.display(), file.displayPath()) + ": "
                + result);
    }

    private static void follow(DamageLedger ledger, DamagedFile file, List<String> names, Clock clock) {
        FileNames.follow(ledger, file, names, clock, "identity check");
    }
}
