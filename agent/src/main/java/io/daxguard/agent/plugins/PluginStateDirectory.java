package io.daxguard.agent.plugins;

import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A plugin's private directory in the agent's state directory, {@code <state>/plugins/<type>/}: made on first use,
 * mode 0700, and used only if it is a real directory (no symlink) owned by the agent's user, since a plugin trusts
 * what it reads back from it. When it cannot be had, the plugin is told there is none (one log line) and runs
 * without: nothing a plugin keeps there is required.
 */
final class PluginStateDirectory {
    private static final System.Logger LOG = System.getLogger(PluginStateDirectory.class.getName());
    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PluginStateDirectory() {
    }

    /** {@code <stateDirectory>/plugins/<type>/}, made or checked now; empty, after a log line, when unusable. */
    static Optional<Path> of(Path stateDirectory, String type) {
        if (!TYPE.matcher(type).matches()) {
            LOG.log(System.Logger.Level.WARNING, "plugin type \"" + type + "\" is not a plain directory name: no state "
                    + "directory for it");
            return Optional.empty();
        }
        Path plugins = stateDirectory.resolve("plugins");
        Path own = plugins.resolve(type);
        try {
            ownerOnlyDirectory(plugins);
            ownerOnlyDirectory(own);
            return Optional.of(own);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "no state directory for plugin " + type + " (" + own + "): "
                    + e.getMessage() + "; it runs without one");
            return Optional.empty();
        }
    }

    private static void ownerOnlyDirectory(Path directory) throws IOException {
        if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Another attach made it first; it is checked below like any existing one.
            }
        }
        FileStatus status;
        try {
            status = FileStatus.ofPathNoFollow(directory);
        } catch (NativeCallException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!status.isDirectory()) {
            throw new IOException(directory + " is not a directory");
        }
        if (!status.isOwnedByThisProcessUser()) {
            throw new IOException(directory + " belongs to another user");
        }
        if (status.permissions() != 0700) {
            Files.setPosixFilePermissions(directory, OWNER_ONLY);
        }
    }
}
