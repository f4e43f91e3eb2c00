package io.daxguard.agent.hooks;

import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a hook's program may be run by the agent, which runs it as root: a program someone else could replace
 * (a group- or other-writable file or directory, a file another user owns, a symbolic link whose target anyone
 * may change) would run their code as root. So the program must be a regular file, not a symbolic link, owned by
 * root or the agent's user, executable, writable by its owner only, and its directory likewise a real directory
 * owned by root or the agent's user, writable by its owner only. Checked at start and again before every run
 * (the file may have changed since).
 */
final class ProgramCheck {
    private ProgramCheck() {
    }

    /** Why {@code program} must not be run; empty when it may. */
    static Optional<String> problem(Path program) {
        Optional<String> file = check(program, false);
        if (file.isPresent()) {
            return file;
        }
        Path directory = program.getParent();
        return directory == null ? Optional.of(program + " has no directory") : check(directory, true);
    }

    private static Optional<String> check(Path path, boolean directory) {
        String what = directory ? "its directory " + path : path.toString();
        FileStatus status;
        try {
            status = FileStatus.ofPathNoFollow(path);
        } catch (NativeCallException e) {
            return Optional.of(what + (e.errno() == NativeCallException.ENOENT ? " does not exist"
                    : " cannot be looked at: " + e.getMessage()));
        }
        if (status.isSymbolicLink()) {
            return Optional.of(what + " is a symbolic link (a hook is run only by its real path, so nobody can point "
                    + "it elsewhere; configure the link's target)");
        }
        if (directory ? !status.isDirectory() : !status.isRegularFile()) {
            return Optional.of(what + " is not a " + (directory ? "directory" : "regular file"));
        }
        if (status.owner() != 0 && !status.isOwnedByThisProcessUser()) {
            return Optional.of(what + " is owned by user " + status.owner() + ", not by root or the agent's user");
        }
        int mode = status.permissions();
        if ((mode & 022) != 0) {
            return Optional.of(what + " is " + ((mode & 020) != 0 ? "group" : "other") + "-writable (mode 0"
                    + Integer.toOctalString(mode) + "); only its owner may write it (chmod go-w)");
        }
        if (!directory && (mode & 0100) == 0) {
            return Optional.of(what + " is not executable by its owner (mode 0" + Integer.toOctalString(mode) + ")");
        }
        return Optional.empty();
    }
}
