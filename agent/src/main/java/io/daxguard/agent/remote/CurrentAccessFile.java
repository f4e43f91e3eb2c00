package io.daxguard.agent.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The access file as it is now, for every front end (remote JMX, the HTTP bridge, Prometheus): each question costs
 * one {@code stat} of the file, and the file is read again when that shows a change, so a role taken away (or given)
 * takes effect at the next request, as an edited password file does, without a restart. A file that became
 * missing, unreadable or invalid grants nothing until it is fixed, and the log says why once (again only when the
 * reason changes).
 *
 * <p>A change is seen by the file's modification and status-change times, size, device and inode together: an editor
 * that writes a new file and renames it over the old one changes the inode, {@code chmod} the status-change time.
 * Timestamps are coarse (a kernel clock tick; a second on ext4 with 128-byte inodes, two on FAT), so a second edit
 * of the same size within the tick of the first would leave all of that unchanged: as long as the file's times are
 * that close to when it was read, its content is read and compared again at each question (the "racy" case git
 * handles the same way for its index). The file is parsed again only when its bytes differ.
 */
final class CurrentAccessFile {
    private static final System.Logger LOG = System.getLogger(CurrentAccessFile.class.getName());
    /** The coarsest file timestamp expected (FAT's two seconds), with room for the kernel's clock lagging ours. */
    static final Duration COARSEST_TIMESTAMP = Duration.ofMillis(2_100);
    /** One {@code stat}: what tells an edited file from the one read. */
    private static final String STAMP_ATTRIBUTES = "unix:lastModifiedTime,ctime,size,dev,ino";

    /** What {@code stat} says of the file; equal stamps and a settled reading mean equal content. */
    record Stamp(FileTime modified, FileTime changed, long size, long device, long inode) {
        static Stamp of(Path file) throws IOException {
            Map<String, Object> attributes = Files.readAttributes(file, STAMP_ATTRIBUTES);
            return new Stamp((FileTime) attributes.get("lastModifiedTime"), (FileTime) attributes.get("ctime"),
                    (Long) attributes.get("size"), (Long) attributes.get("dev"), (Long) attributes.get("ino"));
        }

        /** Whether no later write can have this stamp: both times are older than a timestamp's granularity. */
        boolean settledAt(Instant stattedAt, Duration granularity) {
            Instant newest = modified.toInstant().isAfter(changed.toInstant()) ? modified.toInstant()
                    : changed.toInstant();
            return !newest.isAfter(stattedAt.minus(granularity));
        }
    }

    /**
     * What the last look at the file found: its stamp (empty if it could not be taken), its bytes, the roles they
     * give (empty when the file is unusable, with the reason), and whether the stamp alone may vouch for the bytes.
     */
    private record Reading(Optional<Stamp> stamp, byte[] content, Optional<AccessFile> roles, Optional<String> problem,
                           boolean settled) {
        boolean stillValidFor(Optional<Stamp> now) {
            return settled && now.isPresent() && now.equals(stamp);
        }
    }

    private final Path file;
    private final Duration granularity;
    private volatile Reading current;

    /** Reads the file now; an unreadable or invalid one is refused at start with the reason. */
    CurrentAccessFile(Path file) throws IOException {
        this(file, COARSEST_TIMESTAMP);
    }

    /** As {@link #CurrentAccessFile(Path)}, trusting timestamps older than {@code granularity} (tests). */
    CurrentAccessFile(Path file, Duration granularity) throws IOException {
        this.file = Objects.requireNonNull(file, "file is null");
        this.granularity = Objects.requireNonNull(granularity, "granularity is null");
        Instant now = Instant.now();
        Stamp stamp = Stamp.of(file);
        byte[] content = Files.readAllBytes(file);
        this.current = new Reading(Optional.of(stamp), content, Optional.of(AccessFile.parse(file, content)),
                Optional.empty(), stamp.settledAt(now, granularity));
    }

    /** The role the file gives {@code user} now; empty for a user it does not list, or while it is unusable. */
    Optional<Role> roleOf(String user) {
        return roles().flatMap(access -> access.roleOf(user));
    }

    private Optional<AccessFile> roles() {
        Instant now = Instant.now();
        Optional<Stamp> stamp = stampNow();
        Reading seen = current;
        if (seen.stillValidFor(stamp)) {
            return seen.roles();
        }
        return reread(now, stamp);
    }

    private Optional<Stamp> stampNow() {
        try {
            return Optional.of(Stamp.of(file));
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    /** Reads the file again after {@code stamp} (taken at {@code now}) showed a change or the reading was racy. */
    private synchronized Optional<AccessFile> reread(Instant now, Optional<Stamp> stamp) {
        Reading seen = current;
        if (seen.stillValidFor(stamp)) {
            return seen.roles(); // Another request read it meanwhile.
        }
        if (stamp.isEmpty()) {
            return unusable(seen, new byte[0], "it cannot be found or examined");
        }
        byte[] content;
        try {
            // Read after the stamp: an edit in between changes the next stamp, so it is read then.
            content = Files.readAllBytes(file);
        } catch (IOException unreadable) {
            return unusable(seen, new byte[0], "it cannot be read: " + unreadable);
        }
        boolean settled = stamp.get().settledAt(now, granularity);
        if (seen.problem().isEmpty() && Arrays.equals(content, seen.content())) {
            current = new Reading(stamp, seen.content(), seen.roles(), Optional.empty(), settled);
            return seen.roles();
        }
        AccessFile roles;
        try {
            roles = AccessFile.parse(file, content);
        } catch (IOException invalid) {
            current = new Reading(stamp, content, Optional.empty(), Optional.of(invalid.getMessage()), settled);
            logProblem(seen, invalid.getMessage());
            return Optional.empty();
        }
        current = new Reading(stamp, content, Optional.of(roles), Optional.empty(), settled);
        LOG.log(System.Logger.Level.INFO, "access file " + file + (seen.problem().isPresent() ? " can be used again"
                : " changed") + ": roles are now as it says (" + roles.roles().size() + " users)");
        return current.roles();
    }

    /** Nobody has a role until the file is usable again; never settled, so every question looks again. */
    private Optional<AccessFile> unusable(Reading seen, byte[] content, String why) {
        current = new Reading(Optional.empty(), content, Optional.empty(), Optional.of(why), false);
        logProblem(seen, why);
        return Optional.empty();
    }

    private void logProblem(Reading seen, String why) {
        if (!seen.problem().equals(Optional.of(why))) {
            LOG.log(System.Logger.Level.WARNING, "access file " + file + " cannot be used now, so no one has a role "
                    + "until it is fixed: " + why);
        }
    }
}
