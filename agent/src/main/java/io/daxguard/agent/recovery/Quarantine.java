package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves a damaged file into {@code .daxguard-quarantine} at the root of its own filesystem (a rename: same
 * filesystem, no copy, the inode stays), so applications stop finding it while its damage stays on record;
 * the record follows the file to its new path.
 *
 * <p>Everything is done through descriptors and names as bytes: the file's directory is reached component by
 * component without following symlinks ({@link FileOpener#openParent}), the file is identified there, and the
 * rename ({@code renameat2}, never over an existing name) goes from that directory to the quarantine directory.
 * The quarantine name keeps the file's own name bytes after {@code <inode>-<generation>-}.
 */
public final class Quarantine {
    static final String DIRECTORY = ".daxguard-quarantine";
    private static final LinuxPath DIRECTORY_NAME = LinuxPath.ofText(DIRECTORY);

    private Quarantine() {
    }

    public static String quarantine(FileRecovery recovery, String principal) {
        DamagedFile file = recovery.file();
        String path = file.displayPath();
        if (path.startsWith("/" + DIRECTORY + "/")) {
            return audited(recovery, principal, file, "already quarantined at " + path);
        }
        LinuxPath mount = recovery.mount();
        String shown = LinuxPath.joinDisplayed(mount.display(), path);
        try (NativeFile parent = FileOpener.openParent(mount, path)) {
            LinuxPath name = FileOpener.lastComponent(path);
            // Identity first: only the recorded file is moved, never whatever has its name now.
            try (NativeFile checked = parent.openChildNoFollow(name, NativeFile.Access.READ)) {
                FileOpener.requireRecordedFile(checked, mount, recovery.key(), shown);
            }
            LinuxPath target = LinuxPath.fromDisplay(recovery.key().inode() + "-" + recovery.key().generation() + "-"
                    + name.display());
            String newPath = "/" + DIRECTORY + "/" + target.display();
            try (NativeFile quarantine = quarantineDirectory(mount)) {
                parent.rename(name, quarantine, target);
                if (!isTheFile(recovery, mount, quarantine, target, shown)) {
                    // Replaced between the check and the rename: put it back and touch nothing else.
                    quarantine.rename(target, parent, name);
                    throw new IllegalStateException("refused: " + shown + " was replaced while being quarantined; "
                            + "it was put back");
                }
            }
            List<String> paths = new ArrayList<>(List.of(newPath));
            file.paths().stream().filter(other -> !other.equals(path)).forEach(paths::add);
            List<StateChange> changes = file.hits().stream().map(hit -> new StateChange(hit.record().id(),
                    hit.ownerIndex(), hit.open() ? DamageState.QUARANTINED : hit.state(), paths)).toList();
            String result = "moved " + shown + " to " + mount + newPath + "; " + file.openHits().size()
                    + " open range(s) closed as QUARANTINED";
            recovery.ledger().change(changes, recovery.entry(principal, "quarantine", file, result));
            return result;
        } catch (IllegalStateException e) {
            recovery.ledger().audit(recovery.entry(principal, "quarantine", file, e.getMessage()));
            throw e;
        } catch (IOException e) {
            String message = "quarantine of " + shown + " failed: " + e.getMessage();
            recovery.ledger().audit(recovery.entry(principal, "quarantine", file, message));
            throw new IllegalStateException(message);
        }
    }

    /** The quarantine directory at the mount point, made (0700) if missing; a symlink in its place is refused. */
    private static NativeFile quarantineDirectory(LinuxPath mount) throws IOException {
        try (NativeFile root = NativeFile.openDirectory(mount)) {
            try {
                root.makeDirectory(DIRECTORY_NAME, 0700);
            } catch (NativeCallException e) {
                if (e.errno() != NativeCallException.EEXIST) {
                    throw e;
                }
            }
            try {
                return root.openChildNoFollow(DIRECTORY_NAME, true);
            } catch (NativeCallException e) {
                if (e.errno() == NativeCallException.ELOOP) {
                    throw new IllegalStateException("refused: " + mount.join(DIRECTORY_NAME)
                            + " is a symbolic link; nothing moved");
                }
                throw e;
            }
        }
    }

    private static boolean isTheFile(FileRecovery recovery, LinuxPath mount, NativeFile quarantine, LinuxPath target,
                                     String shown) throws IOException {
        try (NativeFile moved = quarantine.openChildNoFollow(target, NativeFile.Access.READ)) {
            FileOpener.requireRecordedFile(moved, mount, recovery.key(), shown);
            return true;
        } catch (IllegalStateException | NativeCallException notTheFile) {
            return false;
        }
    }

    private static String audited(FileRecovery recovery, String principal, DamagedFile file, String result) {
        recovery.ledger().audit(recovery.entry(principal, "quarantine", file, result));
        return result;
    }
}
