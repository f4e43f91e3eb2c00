package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.FileKey;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves every name of one file, all or none: each rename is {@code renameat2(RENAME_NOREPLACE)} between directory
 * descriptors (never over a name), and the file is identified (device, inode, generation) under its new name after
 * each. When one rename fails, or moved another file (its name was taken between the check and the rename), that
 * other file goes back and so does every name already moved, in reverse; the refusal says what could not be put
 * back and where it is. Quarantine and release both move through here, so neither leaves a file with some names
 * moved and others not without saying so.
 */
final class NameMoves {
    /**
     * One rename.
     *
     * @param from      the directory the name is in
     * @param name      the name there
     * @param to        the directory it goes to
     * @param target    its name there
     * @param shownFrom the full path it has, for messages
     * @param shownTo   the full path it gets, for messages
     */
    record Move(NativeFile from, LinuxPath name, NativeFile to, LinuxPath target, String shownFrom, String shownTo) {
    }

    private NameMoves() {
    }

    /**
     * Makes every move, or none.
     *
     * @param verb what the moves are, for messages ({@code quarantined}, {@code released})
     * @throws IllegalStateException when one could not be made; the names moved before it are back (or the message
     *                               says where they are)
     */
    static void all(List<Move> moves, DeviceNumber device, FileKey key, String verb) {
        List<Move> done = new ArrayList<>();
        for (Move move : moves) {
            try {
                move.from().rename(move.name(), move.to(), move.target());
            } catch (NativeCallException e) {
                throw new IllegalStateException((e.errno() == NativeCallException.EEXIST
                        ? "refused: " + move.shownTo() + " exists (another file took the name); " + move.shownFrom()
                        + " was not " + verb : "moving " + move.shownFrom() + " to " + move.shownTo() + " failed: "
                        + e.getMessage())
                        + undo(done));
            }
            if (!isTheFile(move.to(), move.target(), device, key)) {
                throw new IllegalStateException("refused: " + move.shownFrom() + " was replaced while being " + verb
                        + "; " + putBackOther(move) + undo(done));
            }
            done.add(move);
        }
    }

    /** Another file took the name between the identity check and the rename: it goes back where it was. */
    private static String putBackOther(Move move) {
        try {
            move.to().rename(move.target(), move.from(), move.name());
            return "the other file was put back";
        } catch (NativeCallException e) {
            return "the other file could not be put back (" + e.getMessage() + "); it is at " + move.shownTo();
        }
    }

    /** Puts back the names already moved, last first; says so, and names any that stays where it was moved. */
    private static String undo(List<Move> done) {
        if (done.isEmpty()) {
            return "; nothing moved";
        }
        List<String> stuck = new ArrayList<>();
        for (int i = done.size() - 1; i >= 0; i--) {
            Move move = done.get(i);
            try {
                move.to().rename(move.target(), move.from(), move.name());
            } catch (NativeCallException e) {
                stuck.add(move.shownFrom() + " is at " + move.shownTo() + " (" + e.getMessage() + ")");
            }
        }
        return stuck.isEmpty() ? "; the " + done.size() + " name(s) moved before were put back"
                : "; could not put back: " + String.join(", ", stuck);
    }

    private static boolean isTheFile(NativeFile directory, LinuxPath name, DeviceNumber device, FileKey key) {
        try (NativeFile moved = directory.openChildNoFollow(name, NativeFile.Access.READ)) {
            FileOpener.requireRecordedFile(moved, device, key, name.display());
            return true;
        } catch (IllegalStateException | java.io.IOException notTheFile) {
            return false;
        }
    }

    /** An open directory's identity, as the quarantine's audit entry keeps it: inode and generation. */
    record DirectoryIdentity(long inode, long generation) {
        static DirectoryIdentity of(NativeFile directory) throws NativeCallException {
            FileStatus status = directory.status();
            return new DirectoryIdentity(status.inode(), FileGeneration.of(directory));
        }
    }
}
