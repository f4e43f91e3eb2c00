package io.daxguard.agent.daemon;

import io.daxguard.support.linux.Flock;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One agent per state directory: an exclusive {@code flock} on {@code <state>/agent.lock}, held while the agent runs.
 * Two agents on one state directory would write one ledger and replace each other's saved indexes and scrub
 * positions (a copy of the agent started by hand beside the service, say): the second is refused at start, naming the
 * directory and, when the file says it, the first one's pid. The kernel drops the lock with the process, so a killed
 * agent leaves none behind; the file itself is left in place.
 *
 * <p>Why {@code flock} ({@link Flock}) and not {@link java.nio.channels.FileChannel#tryLock}: that takes an fcntl
 * lock, which a process loses when it closes any descriptor of the file, and the agent opens and closes every file of
 * a filesystem it indexes, this one included when the state directory is on it (the default {@code /var/lib/daxguard}
 * on an indexed root filesystem: a second agent started while the first indexed {@code /} was not refused).
 *
 * <p>The lock is taken on a read-only descriptor, so a state directory that became read-only keeps its lock; only
 * when the file cannot be made at all (a read-only or full directory at the first start) does the agent run without
 * it, with a warning: nothing can be written there to clobber either.
 */
final class StateDirectoryLock implements AutoCloseable {
    static final String FILE_NAME = "agent.lock";
    private static final System.Logger LOG = System.getLogger(StateDirectoryLock.class.getName());

    private final NativeFile locked;

    private StateDirectoryLock(NativeFile locked) {
        this.locked = locked;
    }

    /**
     * Takes the lock of {@code stateDirectory}.
     *
     * @throws IllegalStateException when another agent holds it, or the lock cannot be taken
     */
    static StateDirectoryLock acquire(Path stateDirectory) {
        Path file = stateDirectory.resolve(FILE_NAME);
        try {
            Files.createDirectories(stateDirectory);
            Files.newByteChannel(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
        } catch (IOException unwritable) {
            if (!Files.isRegularFile(file)) {
                LOG.log(System.Logger.Level.WARNING, "cannot lock the state directory " + stateDirectory + " ("
                        + unwritable + "): nothing keeps a second agent off it while it is unwritable");
                return new StateDirectoryLock(null);
            }
        }
        NativeFile locked = null;
        try {
            locked = NativeFile.openReadOnly(file);
            if (!Flock.tryExclusive(locked)) {
                String holder = holderOf(file).map(pid -> " (pid " + pid + ")").orElse("");
                throw new IllegalStateException("the state directory " + stateDirectory + " is in use by another "
                        + "daxguard agent" + holder + ": stop it first, or give this one a state directory of its "
                        + "own (stateDirectory, --state-dir)");
            }
            writePid(file);
            StateDirectoryLock lock = new StateDirectoryLock(locked);
            locked = null;
            return lock;
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock the state directory " + stateDirectory + ": " + e, e);
        } finally {
            closeQuietly(locked);
        }
    }

    private static Optional<Long> holderOf(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return pid.matches("[0-9]{1,10}") ? Optional.of(Long.parseLong(pid)) : Optional.empty();
        } catch (IOException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * The holder's pid, for the message a second agent gives. Written through a descriptor of its own, which the lock
     * survives (flock); a read-only or full directory may refuse it, which changes nothing.
     */
    private static void writePid(Path file) {
        try {
            Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "the state directory's lock " + file + " is taken; its pid not written: "
                    + e);
        }
    }

    private static void closeQuietly(NativeFile file) {
        if (file == null) {
            return;
        }
        try {
            file.close();
        } catch (IOException ignored) {
            // Closing releases the lock; nothing else to undo.
        }
    }

    /** Releases the lock (closing its descriptor); the file stays. */
    @Override
    public void close() throws IOException {
        if (locked != null) {
            locked.close();
        }
    }
}
