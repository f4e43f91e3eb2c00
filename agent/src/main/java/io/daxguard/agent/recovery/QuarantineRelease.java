package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Undoes a quarantine: the file in {@code .daxguard-quarantine} goes back to the path it had (the quarantine's audit
 * entry names it), by {@code renameat2(RENAME_NOREPLACE)} between directory descriptors opened beneath the
 * UUID-checked root, the file identified (inode, generation) before and after. A name taken since is never
 * replaced: the release is refused saying so. Its quarantined ranges are open again (the bytes are still bad) and
 * the records follow the file to its path; audited.
 */
public final class QuarantineRelease {
    private static final String PREFIX = "/" + Quarantine.DIRECTORY + "/";

    private QuarantineRelease() {
    }

    /**
     * @param name the file's name in the quarantine directory, or its path {@code /.daxguard-quarantine/NAME}
     */
    public static String release(DamageLedger ledger, RecoverySettings settings, Clock clock,
                                 LinuxPath mountPoint, String uuid, String name, String principal) {
        String bare = name == null ? "" : name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
        if (bare.isEmpty() || bare.contains("/") || bare.equals(".") || bare.equals("..")) {
            throw new IllegalArgumentException("releaseQuarantined: name must be a file's name in " + Quarantine.DIRECTORY
                    + " (as status shows it after " + PREFIX + "), was \"" + name + "\"");
        }
        String quarantined = PREFIX + bare;
        DamagedFile file = DamagedFile.ofFilesystem(ledger.records(), uuid).stream()
                .filter(candidate -> candidate.paths().contains(quarantined)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("releaseQuarantined: the ledger has no quarantined "
                        + "file " + LinuxPath.joinDisplayed(mountPoint.display(), quarantined)));
        FileRecovery recovery = new FileRecovery(ledger, file.key(), () -> mountPoint, settings, clock,
                found -> found);
        String original = ledger.history(file.key()).stream()
                .filter(entry -> entry.action().equals("quarantine") && entry.result().startsWith("moved "))
                .max(Comparator.comparing(AuditEntry::at)).map(AuditEntry::path)
                .orElseThrow(() -> new IllegalStateException("releaseQuarantined: the audit has no quarantine of "
                        + quarantined + ", so its original path is unknown; move it back by hand"));
        String from = LinuxPath.joinDisplayed(mountPoint.display(), quarantined);
        String to = LinuxPath.joinDisplayed(mountPoint.display(), original);
        try (FilesystemRoot root = FilesystemRoot.ofRecordedFilesystem(mountPoint, uuid);
             NativeFile quarantine = root.descriptor().openDirectoryBeneath(LinuxPath.ofText(Quarantine.DIRECTORY),
                     false);
             NativeFile parent = FileOpener.openParent(root, original)) {
            LinuxPath inQuarantine = LinuxPath.fromDisplay(bare);
            try (NativeFile checked = quarantine.openChildNoFollow(inQuarantine, NativeFile.Access.READ)) {
                FileOpener.requireRecordedFile(checked, root.device(), file.key(), from);
            }
            LinuxPath back = FileOpener.lastComponent(original);
            try {
                quarantine.rename(inQuarantine, parent, back);
            } catch (NativeCallException e) {
                if (e.errno() == NativeCallException.EEXIST) {
                    throw new IllegalStateException("refused: " + to + " exists (another file took the name since "
                            + "the quarantine); nothing moved: move that file away first");
                }
                throw e;
            }
            try (NativeFile moved = parent.openChildNoFollow(back, NativeFile.Access.READ)) {
                FileOpener.requireRecordedFile(moved, root.device(), file.key(), to);
            }
            List<String> paths = new ArrayList<>(List.of(original));
            file.paths().stream().filter(other -> !other.equals(quarantined) && !other.equals(original))
                    .forEach(paths::add);
            List<DamagedFile.Hit> reopened = file.hits().stream()
                    .filter(hit -> hit.state() == DamageState.QUARANTINED).toList();
            List<StateChange> changes = file.hits().stream().map(hit -> new StateChange(hit.record().id(),
                    hit.ownerIndex(), hit.state() == DamageState.QUARANTINED ? DamageState.OPEN : hit.state(), paths))
                    .toList();
            String result = "moved " + from + " back to " + to + "; " + reopened.size() + " quarantined range(s) "
                    + "open again (their bytes are still bad: restore, rewrite or acknowledge them)";
            ledger.change(changes, new AuditEntry(clock.instant(), principal, "releaseQuarantined", file.key(),
                    original, result));
            return result;
        } catch (IllegalStateException e) {
            ledger.audit(recovery.entry(principal, "releaseQuarantined", file, e.getMessage()));
            throw e;
        } catch (IOException e) {
            String message = "releaseQuarantined of " + from + " failed: " + e.getMessage();
            ledger.audit(recovery.entry(principal, "releaseQuarantined", file, message));
            throw new IllegalStateException(message);
        }
    }
}
