package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.support.linux.NativeFile;
import java.util.List;
import java.util.Optional;

/**
 * Whether a policy's {@code rewrite} may zero a file: every name the file has now (each hard link, as
 * {@link FileNames} finds them when the step runs, not as recorded) must be under one of the policy's disposable
 * directories. A file with one name in a disposable cache and another elsewhere (a build cache, rsync
 * {@code --link-dest}, or anyone allowed to link it) holds data that matters elsewhere. When the file has more links
 * than names found, a name outside cannot be ruled out, and it is not rewritten either.
 *
 * @param names   the file's names now, from the mount point
 * @param links   its link count, from a descriptor opened by one of them (as the recorded file)
 * @param outside the names under no disposable directory
 */
record DisposableNames(List<String> names, int links, List<String> outside) {
    DisposableNames {
        names = List.copyOf(names);
        outside = List.copyOf(outside);
    }

    /**
     * The file's names now and its link count.
     *
     * @throws IllegalStateException when a name no longer leads to the recorded file, or none was found
     */
    static DisposableNames of(RecoveryPolicy policy, FileRecovery recovery, DamagedFile file) throws java.io.IOException {
        if (file.paths().isEmpty()) {
            throw new IllegalStateException("no name of inode " + file.key().inode() + " was found");
        }
        int links = 0;
        try (FilesystemRoot root = recovery.root()) {
            for (String path : file.paths()) {
                try (NativeFile opened = FileOpener.open(root, path, recovery.key(), NativeFile.Access.READ)) {
                    links = Math.max(links, opened.status().links());
                }
            }
        }
        return new DisposableNames(file.paths(), links, file.paths().stream()
                .filter(path -> policy.disposableDirectoryOf(path).isEmpty()).toList());
    }

    /** Why the file may not be rewritten, if it may not. */
    Optional<String> whyNot(RecoveryPolicy policy) {
        String directories = policy.disposable().isEmpty() ? "none" : String.join(", ", policy.disposable());
        if (!outside.isEmpty()) {
            return Optional.of(String.join(", ", outside) + (outside.size() == 1 ? " is" : " are")
                    + " under no disposable directory of the policy (" + directories + ")"
                    + (names.size() == 1 ? "" : "; the file's names now: " + String.join(", ", names)
                    + "; it is rewritten only when every name is under one"));
        }
        if (links > names.size()) {
            return Optional.of(names.get(0) + " has " + links + " hard links and only " + names.size() + " of its "
                    + "names were found (" + String.join(", ", names) + "): a name outside the disposable directories ("
                    + directories + ") cannot be ruled out");
        }
        return Optional.empty();
    }
}
