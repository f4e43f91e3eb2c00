package io.daxguard.agent;

import io.daxguard.support.linux.FilesystemControl;
import io.daxguard.support.linux.FilesystemControlException;
import io.daxguard.support.linux.NativeFile;
import java.nio.file.Path;

/** What the tests of freezes ask the kernel directly, whoever froze the filesystem. */
final class Freezes {
    private Freezes() {
    }

    /** Whether the filesystem mounted at {@code mountPoint} is frozen now ({@link FilesystemControl#isFrozen}). */
    static boolean frozen(Path mountPoint) throws Exception {
        try (NativeFile root = NativeFile.openDirectory(mountPoint)) {
            return FilesystemControl.isFrozen(root);
        }
    }

    /** Thaws the filesystem mounted at {@code mountPoint} if anyone froze it ({@code fsfreeze -u}). */
    static void thawWhoeverFroze(Path mountPoint) throws Exception {
        try (NativeFile root = NativeFile.openDirectory(mountPoint)) {
            FilesystemControl.thaw(root);
        } catch (FilesystemControlException notFrozen) {
            // thawed already
        }
    }
}
