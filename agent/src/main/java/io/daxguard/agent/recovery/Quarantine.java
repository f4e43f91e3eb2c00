package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.spi.linux.FileGeneration;
import io.daxguard.spi.linux.FileStatus;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves a damaged file into {@code .daxguard-quarantine} at the root of its own filesystem (a rename: same
 * filesystem, no copy, the inode stays), so applications stop finding it while its damage stays on record;
 * the record follows the file to its new path.
 */
public final class Quarantine {
    static final String DIRECTORY = ".daxguard-quarantine";

    private Quarantine() {
    }

    public static String quarantine(FileRecovery recovery, String principal) {
        DamagedFile file = recovery.file();
        String path = file.displayPath();
        if (path.startsWith("/" + DIRECTORY + "/")) {
            return audited(recovery, principal, file, "already quarantined at " + path);
        }
        Path mount = recovery.mount();
        try {
            // Identity first: only the recorded file is moved, never whatever has its name now.
            try (NativeFile checked = FileOpener.open(mount, path, recovery.key(), NativeFile.Access.READ)) {
                checked.status();
            }
            Path directory = mount.resolve(DIRECTORY);
            if (Files.isSymbolicLink(directory)) {
                throw new IllegalStateException("refused: " + directory + " is a symbolic link; nothing moved");
            }
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            Path source = mount.resolve(path.substring(1));
            String name = recovery.key().inode() + "-" + recovery.key().generation() + "-" + source.getFileName();
            Path target = directory.resolve(name);
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            if (!isTheFile(recovery, target)) {
                // Replaced between the check and the rename: put it back and touch nothing else.
                Files.move(target, source, StandardCopyOption.ATOMIC_MOVE);
                throw new IllegalStateException("refused: " + mount + path + " was replaced while being quarantined; "
                        + "it was put back");
            }
            String newPath = "/" + DIRECTORY + "/" + name;
            List<String> paths = new ArrayList<>(List.of(newPath));
            file.paths().stream().filter(other -> !other.equals(path)).forEach(paths::add);
            List<StateChange> changes = file.hits().stream().map(hit -> new StateChange(hit.record().id(),
                    hit.ownerIndex(), hit.open() ? DamageState.QUARANTINED : hit.state(), paths)).toList();
            String result = "moved " + mount + path + " to " + mount + newPath + "; " + file.openHits().size()
                    + " open range(s) closed as QUARANTINED";
            recovery.ledger().change(changes, recovery.entry(principal, "quarantine", file, result));
            return result;
        } catch (IllegalStateException e) {
            recovery.ledger().audit(recovery.entry(principal, "quarantine", file, e.getMessage()));
            throw e;
        } catch (IOException e) {
            String message = "quarantine of " + mount + path + " failed: " + e.getMessage();
            recovery.ledger().audit(recovery.entry(principal, "quarantine", file, message));
            throw new IllegalStateException(message);
        }
    }

    private static boolean isTheFile(FileRecovery recovery, Path target) throws IOException {
        FileStatus status = FileStatus.ofPathNoFollow(target);
        if (!status.isRegularFile() || status.inode() != recovery.key().inode()) {
            return false;
        }
        try (NativeFile directory = NativeFile.openDirectory(target.getParent());
             NativeFile file = directory.openChildNoFollow(target.getFileName().toString(), NativeFile.Access.READ)) {
            return FileGeneration.of(file) == recovery.key().generation();
        } catch (NativeCallException e) {
            return false;
        }
    }

    private static String audited(FileRecovery recovery, String principal, DamagedFile file, String result) {
        recovery.ledger().audit(recovery.entry(principal, "quarantine", file, result));
        return result;
    }
}
