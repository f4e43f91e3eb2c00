package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The dry run of a recovery policy ({@code daxguard policy test MOUNT PATH}): what would happen to damage found in
 * one file now, and why. It opens the file read-only beneath the filesystem's root (its UUID checked), asks the
 * replica provider, reads {@code /proc/*}/maps; it writes nothing, moves nothing and signals nobody.
 */
public final class PolicyPlan {
    private PolicyPlan() {
    }

    /**
     * @param mountPoint where the filesystem is mounted now
     * @param uuid       its UUID
     * @param path       the file, relative to the mount point ({@code /dir/file}) or with it
     */
    public static String of(RecoverySettings settings, DamageLedger ledger, LinuxPath mountPoint, String uuid,
                            String path) {
        String relative = relativePath(mountPoint, path);
        requireBeneath(mountPoint, relative, path);
        String shown = LinuxPath.joinDisplayed(mountPoint.display(), relative);
        RecoveryPolicies.Match match = settings.policies().match(mountPoint, uuid);
        List<String> lines = new ArrayList<>();
        lines.add("file: " + shown);
        lines.add("policy: " + match.describe());
        if (match.policy().isEmpty()) {
            lines.add("nothing would be done by itself: damage in this file is recorded and shown, and waits for an "
                    + "operator");
            lines.add("dry run: nothing was written, moved or signalled");
            return String.join("\n", lines);
        }
        RecoveryPolicy policy = match.policy().get();
        try (FilesystemRoot root = FilesystemRoot.ofRecordedFilesystem(mountPoint, uuid);
             NativeFile file = openRegularFile(root, relative, shown)) {
            FileStatus status = file.status();
            if (!status.isRegularFile()) {
                throw new IllegalArgumentException("testPolicy: " + shown + " is not a regular file");
            }
            long generation = FileGeneration.of(file);
            // A file of a subvolume (btrfs) is that subvolume's inode: its identity has the subvolume statx names.
            FileKey key = FileKey.inSubvolume(uuid, mountPoint.toString(), FileStatus.subvolumeOf(file).orElse(0),
                    status.inode(), generation);
            Optional<DamagedFile> damaged = DamagedFile.of(key, ledger.recordsNaming(key));
            DamagedFile file0 = damaged.map(found -> found.withPaths(List.of(relative)))
                    .orElse(new DamagedFile(key, List.of(relative), List.of()));
            long open = file0.openHits().size();
            lines.add("inode " + status.inode() + ", generation " + generation + "; open damage now: "
                    + (open == 0 ? "none (the plan is for damage found in it)" : open + " range(s)"));
            MappingProcesses.FileIdentity identity = new MappingProcesses.FileIdentity(root.device(),
                    status.inode(), generation);
            int number = 1;
            for (RecoveryPolicy.FileStep step : policy.onFileDamage()) {
                lines.add(number++ + ". " + step.word() + ": " + stepPlan(step, policy, settings, mountPoint, file0,
                        identity, status.inode(), generation, status.links()));
            }
            if (policy.onFileDamage().isEmpty()) {
                lines.add("no step for damaged file data: it waits for an operator");
            }
        } catch (NativeCallException e) {
            throw new IllegalArgumentException("testPolicy: cannot open " + shown + " beneath " + mountPoint.display()
                    + " (no symlink followed): " + e.getMessage());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("testPolicy: " + shown + ": " + e.getMessage());
        }
        lines.add("metadata damage on this filesystem: " + (policy.onMetadataDamage().isEmpty() ? "recorded, nothing "
                + "done by itself" : String.join(", ", policy.onMetadataDamage().stream()
                .map(RecoveryPolicy.MetadataStep::word).toList())));
        lines.add("free-space damage: " + (policy.onFreeDamage().isEmpty() ? "recorded, nothing done by itself"
                : String.join(", ", policy.onFreeDamage().stream().map(RecoveryPolicy.FreeStep::word).toList())));
        lines.add("dry run: nothing was written, moved or signalled");
        return String.join("\n", lines);
    }

    private static String stepPlan(RecoveryPolicy.FileStep step, RecoveryPolicy policy, RecoverySettings settings,
                                   LinuxPath mountPoint, DamagedFile file, MappingProcesses.FileIdentity identity,
                                   long inode, long generation, int links) {
        return switch (step) {
            case SIGNAL_MAPPERS -> {
                List<String> mapping = MappingProcesses.of(settings.proc(), identity).stream()
                        .filter(mapper -> mapper.pid() != ProcessHandle.current().pid())
                        .map(MappingProcesses.Mapper::line).toList();
                String when = policy.mode() == RecoveryPolicy.Mode.EARLY ? "would run at detection"
                        : "would run only for a page the kernel reports poisoned and touched (a memory failure); "
                        + "damage found otherwise signals nobody";
                yield when + ": " + policy.signal() + " to the processes whose mappings cover the damaged pages; "
                        + (mapping.isEmpty() ? "no process maps the file now"
                        : "mapping the file now (any page): " + String.join(", ", mapping));
            }
            case RESTORE -> {
                try {
                    yield "would run: copy from " + ReplicaLookup.replicaOf(settings, mountPoint, file)
                            + " (checked under replica.roots and read back when it runs); if it reads back equal, "
                            + "the damage closes RESTORED and no later step runs";
                } catch (IllegalStateException none) {
                    yield "would fail, the next step runs: " + none.getMessage();
                }
            }
            case REWRITE -> policy.disposableDirectoryOf(file.displayPath())
                    .map(directory -> (links > 1 ? "would run only if each of its " + links + " names (hard links) is "
                            + "under a disposable directory, checked when it runs; then" : "would run: under disposable "
                            + directory + ",") + " the damaged pages become zeros (closes REWRITTEN; no later step runs)")
                    .orElse("would be skipped: under no disposable directory ("
                            + (policy.disposable().isEmpty() ? "none" : String.join(", ", policy.disposable())) + ")");
            case QUARANTINE -> "would run unless an earlier step closed the damage: moved to /"
                    + Quarantine.DIRECTORY + "/" + Quarantine.quarantineName(inode, generation,
                    FileOpener.lastComponent(file.displayPath())).display()
                    + " (daxguard quarantine --release puts it back)";
        };
    }

    /**
     * Refuses, by the name alone, a path that could lead out of the filesystem ({@code ..} anywhere in it), before
     * anything is looked up: the answer must not depend on what exists outside the mount, since a monitor-role user
     * may ask. The same refusal for every such path.
     */
    private static void requireBeneath(LinuxPath mountPoint, String relative, String given) {
        for (String component : relative.split("/", -1)) {
            if (component.equals("..")) {
                throw new IllegalArgumentException("testPolicy: refused: " + given + " has a .. component; the dry "
                        + "run looks only beneath " + mountPoint.display() + " (a path inside it, from its root)");
            }
        }
    }

    /**
     * Opens the file beneath the checked root (no symlink, no other mount) without acting on it: {@code O_PATH}
     * first, so a device node is never opened (opening one can act on the device), then, once it is known to be a
     * regular file, read-only (non-blocking, so a FIFO swapped in between cannot hold the caller's JMX thread; the
     * descriptor is checked again).
     */
    private static NativeFile openRegularFile(FilesystemRoot root, String relative, String shown)
            throws NativeCallException, java.io.IOException {
        LinuxPath beneath = FileOpener.relative(relative);
        try (NativeFile look = root.descriptor().openBeneath(beneath, NativeFile.Access.PATH_ONLY, false)) {
            if (!look.status().isRegularFile()) {
                throw new IllegalArgumentException("testPolicy: " + shown + " is not a regular file");
            }
        }
        return root.descriptor().openBeneath(beneath, NativeFile.Access.READ, false);
    }

    /** The path relative to the mount point, starting with a slash, whether given with the mount point or not. */
    static String relativePath(LinuxPath mountPoint, String path) {
        String mount = mountPoint.display();
        String relative = !mount.equals("/") && path.startsWith(mount + "/") ? path.substring(mount.length()) : path;
        return relative.startsWith("/") ? relative : "/" + relative;
    }
}
