package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.linux.FileStatus;
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
 * <p>Everything is done through descriptors and names as bytes, from the descriptor of the recorded filesystem's
 * root ({@link FilesystemRoot}: its UUID checked): the file's directory is opened beneath it with no symlink
 * followed ({@link FileOpener#openParent}), the file is identified there, and the rename ({@code renameat2}, never
 * over an existing name) goes from that directory's descriptor to the quarantine directory's. The quarantine
 * directory is made or checked by descriptor: a directory (not a symlink), owned by daxguard's user, with no access
 * for anyone else, on the same filesystem; nobody else can then rename anything inside it, so the moved file is
 * identified there once more before the record follows it (put back if another file took the name meanwhile).
 * The quarantine name keeps the file's own name bytes after {@code <inode>-<generation>-}, cut to fit NAME_MAX
 * (255 bytes; {@link #quarantineName}); the audit entry names the original path, so a file whose name was cut can
 * still be put back under its exact name.
 */
public final class Quarantine {
    static final String DIRECTORY = ".daxguard-quarantine";
    private static final LinuxPath DIRECTORY_NAME = LinuxPath.ofText(DIRECTORY);
    /** The longest name a Linux filesystem takes, in bytes ({@code NAME_MAX}). */
    static final int NAME_MAX = 255;

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
        try (FilesystemRoot root = recovery.root();
             NativeFile parent = FileOpener.openParent(root, path)) {
            LinuxPath name = FileOpener.lastComponent(path);
            // Identity first: only the recorded file is moved, never whatever has its name now.
            try (NativeFile checked = parent.openChildNoFollow(name, NativeFile.Access.READ)) {
                FileOpener.requireRecordedFile(checked, root.device(), recovery.key(), shown);
            }
            LinuxPath target = quarantineName(recovery.key().inode(), recovery.key().generation(), name);
            boolean cut = target.length() < identityPrefix(recovery.key().inode(), recovery.key().generation()).length
                    + name.length();
            String newPath = "/" + DIRECTORY + "/" + target.display();
            try (NativeFile quarantine = quarantineDirectory(root)) {
                parent.rename(name, quarantine, target);
                if (!isTheFile(recovery, root, quarantine, target, shown)) {
                    throw new IllegalStateException(putBack(quarantine, target, parent, name, shown));
                }
            }
            List<String> paths = new ArrayList<>(List.of(newPath));
            file.paths().stream().filter(other -> !other.equals(path)).forEach(paths::add);
            List<StateChange> changes = file.hits().stream().map(hit -> new StateChange(hit.record().id(),
                    hit.ownerIndex(), hit.open() ? DamageState.QUARANTINED : hit.state(), paths)).toList();
            String result = "moved " + shown + " to " + mount + newPath + "; " + file.openHits().size()
                    + " open range(s) closed as QUARANTINED" + (cut ? "; its name was cut to fit " + NAME_MAX
                    + " bytes there: put it back as " + shown : "");
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

    /**
     * Another file took the name between the identity check and the rename: it goes back where it was (never over a
     * name taken since); if that name is taken again it stays in the quarantine directory, and the refusal says so.
     */
    private static String putBack(NativeFile quarantine, LinuxPath target, NativeFile parent, LinuxPath name,
                                  String shown) {
        try {
            quarantine.rename(target, parent, name);
            return "refused: " + shown + " was replaced while being quarantined; the other file was put back";
        } catch (NativeCallException e) {
            return "refused: " + shown + " was replaced while being quarantined, and the other file could not be put "
                    + "back (" + e.getMessage() + "); it is in " + DIRECTORY + "/" + target.display();
        }
    }

    /**
     * The quarantine directory at the filesystem's root, made (0700) if missing, opened with no symlink followed and
     * checked by its descriptor.
     *
     * @throws IllegalStateException when something else has its name: a symlink, a file, a directory another user
     *                               owns or others may enter
     */
    private static NativeFile quarantineDirectory(FilesystemRoot root) throws IOException {
        String shown = root.mountPoint().join(DIRECTORY_NAME).display();
        try {
            root.descriptor().makeDirectory(DIRECTORY_NAME, 0700);
        } catch (NativeCallException e) {
            if (e.errno() != NativeCallException.EEXIST) {
                throw e;
            }
        }
        NativeFile directory;
        try {
            directory = root.descriptor().openDirectoryBeneath(DIRECTORY_NAME, false);
        } catch (NativeCallException e) {
            if (e.errno() == NativeCallException.ELOOP || e.errno() == NativeCallException.ENOTDIR) {
                // Beneath answers ELOOP for a symlink in both resolvers; which it is only words the refusal.
                boolean symlink = e.errno() == NativeCallException.ELOOP;
                throw new IllegalStateException("refused: " + shown + (symlink ? " is a symbolic link"
                        : " is not a directory") + "; nothing moved");
            }
            throw e;
        }
        try {
            FileStatus status = directory.status();
            if (!status.isOwnedByThisProcessUser()) {
                throw new IllegalStateException("refused: " + shown + " is owned by user " + status.owner()
                        + ", not by daxguard's; someone else made it, so its contents are not daxguard's to trust; "
                        + "nothing moved (remove it or give it to daxguard's user with mode 0700)");
            }
            if ((status.permissions() & 077) != 0) {
                throw new IllegalStateException("refused: " + shown + " has mode 0"
                        + Integer.toOctalString(status.permissions()) + "; others may use it; nothing moved (it must "
                        + "be 0700)");
            }
            if (!status.device().equals(root.device())) {
                throw new IllegalStateException("refused: " + shown + " is on another filesystem; nothing moved");
            }
            return directory;
        } catch (RuntimeException | IOException e) {
            directory.close();
            throw e;
        }
    }

    /**
     * {@code <inode>-<generation>-<name>}, the name's bytes cut at the end so the whole fits {@link #NAME_MAX}: the
     * identity prefix alone makes it unique (one file, one inode and generation). The cut backs off to the start of
     * a UTF-8 character, so a UTF-8 name stays readable; the same file always gets the same name.
     */
    static LinuxPath quarantineName(long inode, long generation, LinuxPath name) {
        byte[] prefix = identityPrefix(inode, generation);
        byte[] original = name.bytes();
        int keep = Math.min(original.length, NAME_MAX - prefix.length);
        if (keep < original.length) {
            // A byte 10xxxxxx continues a UTF-8 character: cutting before it would leave half of that character.
            while (keep > 0 && (original[keep] & 0xc0) == 0x80) {
                keep--;
            }
        }
        byte[] target = java.util.Arrays.copyOf(prefix, prefix.length + keep);
        System.arraycopy(original, 0, target, prefix.length, keep);
        return LinuxPath.of(target);
    }

    private static byte[] identityPrefix(long inode, long generation) {
        return (inode + "-" + generation + "-").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static boolean isTheFile(FileRecovery recovery, FilesystemRoot root, NativeFile quarantine,
                                     LinuxPath target, String shown) throws IOException {
        try (NativeFile moved = quarantine.openChildNoFollow(target, NativeFile.Access.READ)) {
            FileOpener.requireRecordedFile(moved, root.device(), recovery.key(), shown);
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
