package io.daxguard.agent.plugins;

import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.paths.FilePaths;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import java.util.Objects;
import java.util.Optional;

/**
 * A mounted filesystem the agent knows of: held by a plugin, or not, with the reason.
 *
 * @param mount   the primary mount
 * @param holder  the plugin's holder, when a plugin took the filesystem
 * @param refusal why no plugin holds it (no plugin for the type, or the plugin refused)
 * @param paths   names of inodes, walked on demand
 */
public record AttachedFilesystem(Mount mount, Optional<Holder> holder, Optional<String> refusal, FilePaths paths) {
    public AttachedFilesystem {
        Objects.requireNonNull(mount, "mount is null");
        Objects.requireNonNull(holder, "holder is null");
        Objects.requireNonNull(refusal, "refusal is null");
        Objects.requireNonNull(paths, "paths is null");
        if (holder.isPresent() == refusal.isPresent()) {
            throw new IllegalArgumentException("a filesystem is either held or refused with a reason");
        }
    }

    public Optional<FilesystemInfo> info() {
        return holder.map(Holder::info);
    }

    /** The filesystem as damage records name it. */
    public FilesystemRef reference() {
        return new FilesystemRef(info().map(FilesystemInfo::uuid).orElse("unknown"), mount.device(),
                mount.mountPoint().toString(), mount.fsType());
    }
}
