package io.daxguard.agent.plugins;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.paths.FilePaths;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A mounted filesystem the agent knows of: held by a plugin, or not, with the reason.
 *
 * @param mount   the primary mount
 * @param holder  the plugin's holder, when a plugin took the filesystem
 * @param refusal why no plugin holds it (no plugin for the type, or the plugin refused)
 * @param paths   names of inodes, walked on demand
 * @param medium  the identity of the disk under the mount's device when it was attached ({@code DiskIdentity}),
 *                empty when unknown
 */
public record AttachedFilesystem(Mount mount, Optional<Holder> holder, Optional<String> refusal, FilePaths paths,
                                 String medium) {
    public AttachedFilesystem {
        Objects.requireNonNull(mount, "mount is null");
        Objects.requireNonNull(holder, "holder is null");
        Objects.requireNonNull(refusal, "refusal is null");
        Objects.requireNonNull(paths, "paths is null");
        Objects.requireNonNull(medium, "medium is null");
        if (holder.isPresent() == refusal.isPresent()) {
            throw new IllegalArgumentException("a filesystem is either held or refused with a reason");
        }
    }

    /** A filesystem on a disk whose identity is unknown: damage follows it by UUID and device number. */
    public AttachedFilesystem(Mount mount, Optional<Holder> holder, Optional<String> refusal, FilePaths paths) {
        this(mount, holder, refusal, paths, "");
    }

    public Optional<FilesystemInfo> info() {
        return holder.map(Holder::info);
    }

    /**
     * What to do about {@code damaged} (metadata of this filesystem, named when the damage was found): the hint as it
     * reads for where the filesystem is now, from its holder ({@link Holder#repairHint}); as written when none holds
     * it or the plugin fails.
     */
    public String repairHint(MetadataOwner damaged) {
        try {
            return holder.map(held -> held.repairHint(damaged)).orElse(damaged.repairHint());
        } catch (RuntimeException e) {
            return damaged.repairHint();
        }
    }

    /** The filesystem as damage records name it. */
    public FilesystemRef reference() {
        return new FilesystemRef(info().map(FilesystemInfo::uuid).orElse("unknown"), mount.device(),
                mount.mountPoint().toString(), mount.fsType());
    }

    /**
     * Whether damage resolved in the filesystem {@code uuid} on {@code device}, disk {@code medium}, is this
     * filesystem's: the one rule every view and reconciler uses to find "the attached filesystem of a record". A UUID
     * is not unique on a host (a block copy, a snapshot, a re-made filesystem given its old UUID), so the damage
     * belongs to the filesystem with that UUID on the same disk: the same disk identity when both are known (a disk
     * that moved to another device number is still followed), else the same device number.
     */
    public boolean holds(String uuid, DeviceNumber device, String medium) {
        if (holder.isEmpty() || !uuid.equals(reference().uuid())) {
            return false;
        }
        return medium.isEmpty() || this.medium.isEmpty() ? device.equals(mount.device()) : medium.equals(this.medium);
    }

    /** {@link #holds(String, DeviceNumber, String)} for the filesystem a record was resolved in. */
    public boolean holds(DamageRecord record) {
        return record.filesystem().map(fs -> holds(fs.uuid(), fs.device(), record.medium())).orElse(false);
    }

    /** {@link #holds(String, DeviceNumber, String)} for where a file was last seen. */
    public boolean holds(FileKey file) {
        return holds(file.filesystemUuid(), file.device(), file.medium());
    }

    /** The records of {@code records} whose damage is this filesystem's ({@link #holds(DamageRecord)}). */
    public List<DamageRecord> damageOf(List<DamageRecord> records) {
        return records.stream().filter(this::holds).toList();
    }
}
