package io.daxguard.agent.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * The access file as it is now: read again whenever its modification time changes, so a role taken away (or given)
 * takes effect at the next request, as an edited password file does, without a restart. A file that became
 * unreadable or invalid grants nothing until it is fixed (and says why in the log once per change).
 */
final class CurrentAccessFile {
    private static final System.Logger LOG = System.getLogger(CurrentAccessFile.class.getName());

    private final Path file;
    private FileTime readAt;
    private Optional<AccessFile> roles;

    /** Reads the file now; an unreadable or invalid one is refused at start with the reason. */
    CurrentAccessFile(Path file) throws IOException {
        this.file = file;
        this.readAt = Files.getLastModifiedTime(file);
        this.roles = Optional.of(AccessFile.load(file));
    }

    synchronized Optional<Role> roleOf(String user) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!modified.equals(readAt)) {
                readAt = modified;
                roles = Optional.of(AccessFile.load(file));
            }
        } catch (IOException unusable) {
            if (roles.isPresent()) {
                LOG.log(System.Logger.Level.WARNING, "access file " + file + " cannot be used now, so no one has a "
                        + "role until it is fixed: " + unusable.getMessage());
            }
            roles = Optional.empty();
        }
        return roles.flatMap(access -> access.roleOf(user));
    }
}
