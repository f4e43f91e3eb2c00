package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Undoes a quarantine: every name the file had goes back to its path (the quarantine's audit entry lists them,
 * {@link QuarantinedName}), by {@code renameat2(RENAME_NOREPLACE)} between directory descriptors opened beneath the
 * UUID-checked root, all or none ({@link NameMoves}), the file identified (inode, generation) before and after.
 * Each name goes back only into the directory it came from: the directory now at its path must have the inode and
 * generation the audit entry recorded (one renamed away and replaced by another of the same name is refused, saying
 * so). A name taken since is never replaced: the release is refused saying so, and the names already moved go back
 * into the quarantine. Its quarantined ranges are open again (the bytes are still bad) and the records follow the
 * file to its paths; audited.
 */
public final class QuarantineRelease {
    private static final String PREFIX = Quarantine.PREFIX;

    private QuarantineRelease() {
    }

    /**
     * @param name the file's name in the quarantine directory (any of them, when it had several names), or its path
     *             {@code /.daxguard-quarantine/NAME}
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
        String from = LinuxPath.joinDisplayed(mountPoint.display(), quarantined);
        List<NativeFile> parents = new ArrayList<>();
        try {
            List<QuarantinedName> names = quarantinedNames(ledger, file, quarantined, from);
            try (FilesystemRoot root = FilesystemRoot.ofRecordedFilesystem(mountPoint, uuid);
                 NativeFile quarantine = root.descriptor().openDirectoryBeneath(
                         LinuxPath.ofText(Quarantine.DIRECTORY), false)) {
                List<NameMoves.Move> moves = new ArrayList<>();
                for (QuarantinedName each : names) {
                    String to = LinuxPath.joinDisplayed(mountPoint.display(), each.original());
                    String inQuarantine = LinuxPath.joinDisplayed(mountPoint.display(), each.quarantinedPath());
                    NativeFile parent = FileOpener.openParent(root, each.original());
                    parents.add(parent);
                    requireSameDirectory(parent, each, to);
                    LinuxPath quarantinedName = LinuxPath.fromDisplay(each.quarantined());
                    try (NativeFile checked = quarantine.openChildNoFollow(quarantinedName, NativeFile.Access.READ)) {
                        FileOpener.requireRecordedFile(checked, root.device(), file.key(), inQuarantine);
                    }
                    moves.add(new NameMoves.Move(quarantine, quarantinedName, parent,
                            FileOpener.lastComponent(each.original()), inQuarantine, to));
                }
                NameMoves.all(moves, root.device(), file.key(), "released");
            }
            List<String> paths = new ArrayList<>(names.stream().map(QuarantinedName::original).toList());
            file.paths().stream().filter(other -> !other.startsWith(PREFIX) && !paths.contains(other))
                    .forEach(paths::add);
            List<DamagedFile.Hit> reopened = file.hits().stream()
                    .filter(hit -> hit.state() == DamageState.QUARANTINED).toList();
            List<StateChange> changes = file.hits().stream().map(hit -> new StateChange(hit.record().id(),
                    hit.ownerIndex(), hit.state() == DamageState.QUARANTINED ? DamageState.OPEN : hit.state(), paths))
                    .toList();
            String result = "moved " + String.join(", ", names.stream().map(each -> LinuxPath.joinDisplayed(
                    mountPoint.display(), each.quarantinedPath()) + " back to " + LinuxPath.joinDisplayed(
                    mountPoint.display(), each.original())).toList()) + "; " + reopened.size() + " quarantined "
                    + "range(s) open again (their bytes are still bad: restore, rewrite or acknowledge them)";
            ledger.change(changes, new AuditEntry(clock.instant(), principal, "releaseQuarantined", file.key(),
                    paths.get(0), result));
            return result;
        } catch (IllegalStateException e) {
            ledger.audit(recovery.entry(principal, "releaseQuarantined", file, e.getMessage()));
            throw e;
        } catch (IOException e) {
            String message = "releaseQuarantined of " + from + " failed: " + e.getMessage();
            ledger.audit(recovery.entry(principal, "releaseQuarantined", file, message));
            throw new IllegalStateException(message);
        } finally {
            parents.forEach(NativeFile::closeQuietly);
        }
    }

    /** Every name the file had, from the latest successful quarantine's audit entry, which must list this one. */
    private static List<QuarantinedName> quarantinedNames(DamageLedger ledger, DamagedFile file, String quarantined,
                                                          String from) {
        AuditEntry entry = ledger.history(file.key()).stream()
                .filter(each -> each.action().equals("quarantine") && each.result().startsWith("moved "))
                .max(Comparator.comparing(AuditEntry::at))
                .orElseThrow(() -> new IllegalStateException("refused: the audit has no quarantine of " + from
                        + ", so its original path is unknown; nothing moved: move it back by hand"));
        List<QuarantinedName> names = QuarantinedName.readFrom(entry.result());
        if (names.stream().noneMatch(each -> each.quarantinedPath().equals(quarantined))) {
            throw new IllegalStateException("refused: the audit's quarantine entry does not list " + from + " with the "
                    + "directory it came from (a quarantine by an older daxguard, or another file); nothing moved: "
                    + "move it back by hand");
        }
        return names;
    }

    /**
     * The directory now at a name's old directory path must be the one it was quarantined from: another directory
     * that took that path (the old one renamed away) may be anyone's, and the file would land in their hands.
     */
    private static void requireSameDirectory(NativeFile parent, QuarantinedName name, String to) throws IOException {
        NameMoves.DirectoryIdentity now = NameMoves.DirectoryIdentity.of(parent);
        if (now.inode() != name.directoryInode() || now.generation() != name.directoryGeneration()) {
            String directory = to.substring(0, Math.max(1, to.lastIndexOf('/')));
            throw new IllegalStateException("refused: " + directory + " is not the directory " + to + " was "
                    + "quarantined from (that was directory inode " + name.directoryInode() + ", generation "
                    + name.directoryGeneration() + "; this is inode " + now.inode() + ", generation "
                    + now.generation() + "): it was replaced or renamed since; nothing moved: move the file back by "
                    + "hand where it belongs");
        }
    }
}
