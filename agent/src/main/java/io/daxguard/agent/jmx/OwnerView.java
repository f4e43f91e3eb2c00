package io.daxguard.agent.jmx;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.UnknownOwner;
import java.util.List;

/**
 * One owner of a range as jconsole shows it (a CompositeData row): every kind of owner in one flat shape,
 * with the fields that do not apply at their neutral value.
 *
 * @param kind             {@code file}, {@code metadata}, {@code free space} or {@code unknown}
 * @param filesystemOffset first byte on the filesystem's device
 * @param length           bytes
 * @param inode            for a file; 0 otherwise
 * @param generation       for a file; 0 otherwise
 * @param fork             for a file: {@code DATA}, {@code ATTRIBUTES} or {@code EXTENT_MAP}; empty otherwise
 * @param fileOffset       for a file, the byte offset in the file (in the fork)
 * @param shared           for a file, whether other files share the bytes (reflink)
 * @param unwritten        for a file, whether the bytes are preallocated and unwritten
 * @param paths            for a file, its names relative to the mount point
 * @param structure        for metadata, its kind ({@code xfs.log}); for unknown, the reason
 * @param description      what an administrator reads
 * @param action           what to do about damage here
 */
public record OwnerView(String kind, long filesystemOffset, long length, long inode, long generation, String fork,
                        long fileOffset, boolean shared, boolean unwritten, List<String> paths, String structure,
                        String description, String action) {

    public static OwnerView of(AffectedOwner affected) {
        return of(affected, MetadataOwner::repairHint);
    }

    /**
     * The view of {@code affected}, with a metadata owner's action from {@code repairHint}: a view of a mounted
     * filesystem names where it is now ({@code AttachedFilesystem::repairHint}), not where the damage was found.
     */
    public static OwnerView of(AffectedOwner affected, java.util.function.Function<MetadataOwner, String> repairHint) {
        if (affected.owner() instanceof FileOwner file) {
            return new OwnerView("file", file.physicalOffset(), file.length(), file.inode(), file.generation(),
                    file.fork().name(), file.fileOffset(), file.shared(), file.unwritten(), affected.paths(), "",
                    describe(file, affected.paths()), fileAction(file));
        }
        if (affected.owner() instanceof MetadataOwner meta) {
            return new OwnerView("metadata", meta.physicalOffset(), meta.length(), 0, 0, "", 0, false, false,
                    List.of(), meta.kind(), meta.description(), repairHint.apply(meta));
        }
        if (affected.owner() instanceof FreeSpaceOwner free) {
            return new OwnerView("free space", free.physicalOffset(), free.length(), 0, 0, "", 0, false, false,
                    List.of(), "", "free space", "no data lost; keep the range from being allocated");
        }
        UnknownOwner unknown = (UnknownOwner) affected.owner();
        return new OwnerView("unknown", unknown.physicalOffset(), unknown.length(), 0, 0, "", 0, false, false,
                List.of(), unknown.reason(), "owner unknown: " + unknown.reason(),
                "investigate: the filesystem could not name an owner");
    }

    /** One line: what the owner is and what to do. */
    public String line() {
        return description + " [" + kind + ", fs bytes " + filesystemOffset + "+" + length
                + (kind.equals("file") ? ", file offset " + fileOffset : "") + "]";
    }

    private static String describe(FileOwner file, List<String> paths) {
        String name = paths.isEmpty() ? "inode " + file.inode() + " (no name: deleted, or unlinked but open)"
                : String.join(", ", paths);
        String part = switch (file.fork()) {
            case DATA -> "data";
            case ATTRIBUTES -> "extended attributes";
            case EXTENT_MAP -> "block map";
        };
        return name + " " + part + (file.shared() ? " (shared with other files)" : "")
                + (file.unwritten() ? " (preallocated, unwritten)" : "");
    }

    private static String fileAction(FileOwner file) {
        if (file.unwritten()) {
            return "no data lost; rewrite the range before use";
        }
        return switch (file.fork()) {
            case DATA -> "restore the range from a replica, or rewrite it";
            case ATTRIBUTES -> "extended attributes lost; restore them or remove and set again";
            case EXTENT_MAP -> "the file's block map is damaged: unmount and run the filesystem's repair";
        };
    }
}
