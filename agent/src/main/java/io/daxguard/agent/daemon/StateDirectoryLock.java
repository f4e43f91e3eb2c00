package io.daxguard.agent.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One agent per state directory: an exclusive lock on {@code <state>/agent.lock}, held while the agent runs. Two
 * agents on one state directory would write one ledger and replace each other's saved indexes and scrub positions
 * (a copy of the agent started by hand beside the service, say): the second is refused at start, naming the
 * directory and, when the file says it, the first one's pid. The lock is the kernel's (fcntl, through
 * {@link FileChannel#tryLock()}), so a killed agent leaves none behind, and the file itself is left in place.
 *
 * <p>When the file cannot be opened for writing (a read-only or full state directory, which the agent runs on and
 * reports), nothing can be clobbered through it either: the agent runs without the lock and says so.
 */
final class StateDirectoryLock implements AutoCloseable {
    static final String FILE_NAME = "agent.lock";
    private static final System.Logger LOG = System.getLogger(StateDirectoryLock.class.getName());

    private final FileChannel channel;
    private final FileLock lock;

    private StateDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code stateDirectory}.
     *
     * @throws IllegalStateException when another agent holds it
     */
    static StateDirectoryLock acquire(Path stateDirectory) {
        Path file = stateDirectory.resolve(FILE_NAME);
        FileChannel channel;
        try {
            Files.createDirectories(stateDirectory);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException unwritable) {
            LOG.log(System.Logger.Level.WARNING, "cannot lock the state directory " + stateDirectory + " ("
                    + unwritable + "): nothing keeps a second agent off it while it is unwritable");
            return new StateDirectoryLock(null, null);
        }
        try {
            FileLock lock = tryLock(channel);
            if (lock == null) {
                String holder = holderOf(channel).map(pid -> " (pid " + pid + ")").orElse("");
                channel.close();
                throw new IllegalStateException("the state directory " + stateDirectory + " is in use by another "
                        + "daxguard agent" + holder + ": stop it first, or give this one a state directory of its "
                        + "own (stateDirectory, --state-dir)");
            }
            writePid(channel, stateDirectory);
            return new StateDirectoryLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("cannot lock the state directory " + stateDirectory + ": " + e, e);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldInThisProcess) {
            // An agent of this JVM holds it (tests start agents in theirs): in use all the same.
            return null;
        }
    }

    private static Optional<Long> holderOf(FileChannel channel) throws IOException {
        ByteBuffer text = ByteBuffer.allocate(32);
        channel.read(text, 0);
        String pid = new String(text.array(), 0, text.position(), StandardCharsets.US_ASCII).strip();
        return pid.matches("[0-9]{1,10}") ? Optional.of(Long.parseLong(pid)) : Optional.empty();
    }

    /** The holder's pid, for the message a second agent gives; a full disk may refuse it, which changes nothing. */
    private static void writePid(FileChannel channel, Path stateDirectory) {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "the state directory " + stateDirectory + " is locked; its pid not "
                    + "written: " + e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing releases any lock; nothing else to undo.
        }
    }

    /** Releases the lock (closing the file); the file stays. */
    @Override
    public void close() throws IOException {
        if (channel != null) {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
