package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves a damaged file into {@code .daxguard-quarantine} at the root of its own filesystem (renames: same
 * filesystem, no copy, the inode stays), so applications stop finding it while its damage stays on record;
 * the record follows the file to its new path. Every name of the file is moved (each hard link), so no name is
 * left that still reads the bad data; when the file has more links than names found ({@link FileNames}), the
 * quarantine is refused and nothing is moved.
 *
 * <p>Everything is done through descriptors and names as bytes, from the descriptor of the recorded filesystem's
 * root ({@link FilesystemRoot}: its UUID checked): each name's directory is opened beneath it with no symlink
 * followed ({@link FileOpener#openParent}), the file is identified there, and the renames ({@code renameat2}, never
 * over an existing name; {@link NameMoves}: all or none) go from those directories' descriptors to the quarantine
 * directory's. The quarantine directory is made or checked by descriptor: a directory (not a symlink), owned by
 * daxguard's user, with no access for anyone else, on the same filesystem; nobody else can then rename anything
 * inside it, so each moved name is identified there once more before the record follows it (another file that
 * took a name meanwhile is put back, and so is every name already moved). The quarantine names keep each name's
 * bytes after {@code <inode>-<generation>-} (the first name) or {@code <inode>-<generation>.<index>-} (the others),
 * cut to fit NAME_MAX (255 bytes; {@link #quarantineName}); the audit entry lists every original path with the
 * identity of the directory it was in ({@link QuarantinedName}), so {@link QuarantineRelease} puts each name back
 * exactly, and only into that directory.
 */
public final class Quarantine {
    static final String DIRECTORY = ".daxguard-quarantine";
    /** Where the quarantine directory's names start, as paths from the mount point. */
    static final String PREFIX = "/" + DIRECTORY + "/";
    private static final LinuxPath DIRECTORY_NAME = LinuxPath.ofText(DIRECTORY);
    /** The longest name a Linux filesystem takes, in bytes ({@code NAME_MAX}). */
    static final int NAME_MAX = 255;

    private Quarantine() {
    }

    public static String quarantine(FileRecovery recovery, String principal) {
        DamagedFile file = recovery.file();
        String path = file.displayPath();
        Optional<String> inQuarantine = file.paths().stream().filter(name -> name.startsWith(PREFIX)).findFirst();
        if (inQuarantine.isPresent()) {
            return audited(recovery, principal, file, "already quarantined at " + inQuarantine.get());
        }
        LinuxPath mount = recovery.mount();
        String shown = LinuxPath.joinDisplayed(mount.display(), path);
        List<NativeFile> parents = new ArrayList<>();
        try (FilesystemRoot root = recovery.root()) {
            List<String> names = file.paths();
            if (names.isEmpty()) {
                throw new IllegalStateException("refused: no name of inode " + recovery.key().inode() + " was found; "
                        + "nothing moved");
            }
            List<QuarantinedName> quarantined = new ArrayList<>();
            int links = 0;
            boolean cut = false;
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                NativeFile parent = FileOpener.openParent(root, name);
                parents.add(parent);
                LinuxPath last = FileOpener.lastComponent(name);
                // Identity first: only the recorded file is moved, never whatever has its name now.
                try (NativeFile checked = parent.openChildNoFollow(last, NativeFile.Access.READ)) {
                    FileOpener.requireRecordedFile(checked, root.device(), recovery.key(),
                            LinuxPath.joinDisplayed(mount.display(), name));
                    links = Math.max(links, checked.status().links());
                }
                LinuxPath target = quarantineName(recovery.key().inode(), recovery.key().generation(), i, last);
                cut |= target.length() < prefix(recovery.key().inode(), recovery.key().generation(), i).length + last.length();
                NameMoves.DirectoryIdentity directory = NameMoves.DirectoryIdentity.of(parent);
                quarantined.add(new QuarantinedName(name, directory.inode(), directory.generation(), target.display()));
            }
            if (links > names.size()) {
                throw new IllegalStateException("refused: " + shown + " has " + links + " hard links and only "
                        + names.size() + " of its names were found (" + String.join(", ", names) + "): moving those "
                        + "would leave another name reading the damaged data; nothing moved");
            }
            try (NativeFile quarantine = quarantineDirectory(root)) {
                List<NameMoves.Move> moves = new ArrayList<>();
                for (int i = 0; i < names.size(); i++) {
                    QuarantinedName name = quarantined.get(i);
                    moves.add(new NameMoves.Move(parents.get(i), FileOpener.lastComponent(name.original()), quarantine,
                            LinuxPath.fromDisplay(name.quarantined()),
                            LinuxPath.joinDisplayed(mount.display(), name.original()),
                            LinuxPath.joinDisplayed(mount.display(), name.quarantinedPath())));
                }
                NameMoves.all(moves, root.device(), recovery.key(), "quarantined");
            }
            List<String> paths = quarantined.stream().map(QuarantinedName::quarantinedPath).toList();
            List<StateChange> changes = file.hits().stream().map(hit -> new StateChange(hit.record().id(),
                    hit.ownerIndex(), hit.open() ? DamageState.QUARANTINED : hit.state(), paths)).toList();
            String result = "moved " + (names.size() == 1 ? "" : "all " + names.size() + " names of the file: ")
                    + String.join(", ", quarantined.stream().map(QuarantinedName::written).toList()) + " (on "
                    + QuarantinedName.quoted(mount.display()) + "); " + file.openHits().size()
                    + " open range(s) closed as QUARANTINED" + (cut ? "; a name was cut to fit " + NAME_MAX
                    + " bytes there: a release puts it back as it was" : "");
            recovery.ledger().change(changes, recovery.entry(principal, "quarantine", file, result));
            return result;
        } catch (IllegalStateException e) {
            recovery.ledger().audit(recovery.entry(principal, "quarantine", file, e.getMessage()));
            throw e;
        } catch (IOException e) {
            String message = "quarantine of " + shown + " failed: " + e.getMessage();
            recovery.ledger().audit(recovery.entry(principal, "quarantine", file, message));
            throw new IllegalStateException(message);
        } finally {
            parents.forEach(NativeFile::closeQuietly);
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

    /** {@link #quarantineName(long, long, int, LinuxPath)} of a file's first name. */
    static LinuxPath quarantineName(long inode, long generation, LinuxPath name) {
        return quarantineName(inode, generation, 0, name);
    }

    /**
     * The name of a file's {@code index}th name in the quarantine directory: {@code <inode>-<generation>-<name>} for
     * the first, {@code <inode>-<generation>.<index>-<name>} for each other hard link, the name's bytes cut at the end
     * so the whole fits {@link #NAME_MAX}: the prefix alone makes it unique (one file, one inode and generation; the
     * character after the generation tells the first name from the others). The cut backs off to the start of a
     * UTF-8 character, so a UTF-8 name stays readable; the same name of the same file always gets the same name.
     */
    static LinuxPath quarantineName(long inode, long generation, int index, LinuxPath name) {
        byte[] prefix = prefix(inode, generation, index);
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

    private static byte[] prefix(long inode, long generation, int index) {
        return (inode + "-" + generation + (index == 0 ? "" : "." + index) + "-")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static String audited(FileRecovery recovery, String principal, DamagedFile file, String result) {
        recovery.ledger().audit(recovery.entry(principal, "quarantine", file, result));
        return result;
    }
}
