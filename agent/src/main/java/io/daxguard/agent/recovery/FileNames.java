package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A damaged file's names now. A file is its filesystem's UUID, inode and generation; its names are what they are
 * when its damage is shown or acted on, not what they were at detection: renamed, given another hard link, or
 * losing one. Each recorded name is checked to still lead to the file (opened without following symlinks, same
 * device, inode and generation); when one no longer does, or the file has more links than valid names, the
 * filesystem's names are asked (the holder's index, else the tree walk of {@code FilePaths}) and only names that
 * lead to the file are kept. A change of names is followed in the ledger: every record naming the file takes the
 * new names, and the audit entry keeps the old one ({@code renamed: was /swapme}), so the file's history still
 * names it as it was detected.
 *
 * <p>A file whose filesystem is not mounted now, or for which no name is found (deleted: the identity check makes
 * it FILE_GONE), keeps its recorded names. Where a filesystem is mounted follows its UUID ({@link #mountPoint}).
 *
 * <p>Thread safety: any thread; one look-up and ledger change at a time, so two views asking at once follow a
 * rename once. Must not be called while holding a lock a ledger change listener takes (it waits for the ledger).
 */
public final class FileNames {
    private static final System.Logger LOG = System.getLogger(FileNames.class.getName());
    static final String PRINCIPAL = "agent";

    private final DamageLedger ledger;
    private final Supplier<List<AttachedFilesystem>> filesystems;
    private final Clock clock;

    public FileNames(DamageLedger ledger, Supplier<List<AttachedFilesystem>> filesystems, Clock clock) {
        this.ledger = Objects.requireNonNull(ledger, "ledger is null");
        this.filesystems = Objects.requireNonNull(filesystems, "filesystems is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /**
     * The attached filesystem the file is on, wherever it is mounted now: its UUID on the disk it was seen on
     * ({@link AttachedFilesystem#holds}), so a clone with the same UUID on another disk is not taken for it.
     */
    public static Optional<AttachedFilesystem> mounted(List<AttachedFilesystem> filesystems, FileKey file) {
        return filesystems.stream().filter(fs -> fs.holds(file)).findFirst();
    }

    /** Where the file's filesystem is mounted now; where it was last seen when it is not mounted. */
    public LinuxPath mountPoint(FileKey key) {
        return mounted(filesystems.get(), key).map(fs -> fs.mount().mountPoint())
                .orElseGet(() -> LinuxPath.fromDisplay(key.mountPoint()));
    }

    /** {@link #current(List)} of one file. */
    public DamagedFile current(DamagedFile file) {
        return current(List.of(file)).get(0);
    }

    /**
     * The files with their names now, in the same order; renames followed in the ledger. Only files with open damage
     * are looked up: closed damage is history, named as it was when it was closed.
     */
    public synchronized List<DamagedFile> current(List<DamagedFile> files) {
        List<AttachedFilesystem> attached = filesystems.get();
        List<DamagedFile> result = new ArrayList<>(files);
        Map<AttachedFilesystem, Map<Integer, DamagedFile>> lost = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i++) {
            DamagedFile file = files.get(i);
            Optional<AttachedFilesystem> filesystem = mounted(attached, file.key());
            if (file.openHits().isEmpty() || filesystem.isEmpty()) {
                continue;
            }
            LinuxPath mount = filesystem.get().mount().mountPoint();
            List<String> valid = new ArrayList<>();
            int links = 0;
            for (String path : file.paths()) {
                Optional<FileStatus> status = statusIfStill(mount, path, file.key());
                if (status.isPresent()) {
                    valid.add(path);
                    links = status.get().links();
                }
            }
            if (valid.isEmpty() || links > valid.size()) {
                lost.computeIfAbsent(filesystem.get(), fs -> new LinkedHashMap<>()).put(i, file);
            } else if (!valid.equals(file.paths())) {
                result.set(i, follow(file, valid)); // a hard link of several was removed
            }
        }
        for (Map.Entry<AttachedFilesystem, Map<Integer, DamagedFile>> entry : lost.entrySet()) {
            LinuxPath mount = entry.getKey().mount().mountPoint();
            Map<FileKey, List<String>> found;
            try {
                found = pathsOf(entry.getKey().paths(), entry.getValue().values().stream().map(DamagedFile::key)
                        .toList());
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot look up the names of " + entry.getValue().size()
                        + " damaged file(s) on " + mount + ": " + e.getMessage() + "; shown as recorded");
                continue;
            }
            entry.getValue().forEach((index, file) -> {
                List<String> names = found.getOrDefault(file.key(), List.of()).stream()
                        .filter(path -> statusIfStill(mount, path, file.key()).isPresent()).sorted().toList();
                if (!names.isEmpty() && !Set.copyOf(names).equals(Set.copyOf(file.paths()))) {
                    result.set(index, follow(file, names));
                }
            });
        }
        return result;
    }

    /** The file's names in the ledger become {@code names}, audited with the names it had. */
    private DamagedFile follow(DamagedFile file, List<String> names) {
        follow(ledger, file, names, clock, "names followed");
        return file.withPaths(names);
    }

    /**
     * Makes {@code names} the file's names in every record naming it (each hit keeps its state); the audit entry
     * says what the names were ({@code renamed: was /a}) or which links came or went.
     */
    static void follow(DamageLedger ledger, DamagedFile file, List<String> names, Clock clock, String action) {
        String was = file.displayPath();
        String result = names.contains(was) || file.paths().isEmpty()
                ? "names now " + String.join(", ", names) + " (were " + String.join(", ", file.paths()) + ")"
                : "renamed: was " + was + ", now " + String.join(", ", names) + "; the record follows it";
        try {
            ledger.change(file.hits().stream().map(hit -> new StateChange(hit.record().id(), hit.ownerIndex(),
                    hit.state(), names)).toList(), new AuditEntry(clock.instant(), PRINCIPAL, action, file.key(),
                    names.get(0), result));
        } catch (IllegalStateException notYetDurable) {
            // Applied in memory; the ledger writes it when it can and says so in its health.
            LOG.log(System.Logger.Level.WARNING, notYetDurable.getMessage());
        }
        LOG.log(System.Logger.Level.INFO, LinuxPath.joinDisplayed(file.key().mountPoint(), was) + ": " + result);
    }

    /**
     * The names now of files of one filesystem, one lookup per subvolume (a file's inode number means that file only
     * in its subvolume); unchecked: the caller checks each name leads to its file ({@link #statusIfStill}).
     */
    static Map<FileKey, List<String>> pathsOf(io.daxguard.agent.paths.FilePaths paths, List<FileKey> files)
            throws IOException {
        Map<Long, List<FileKey>> bySubvolume = new java.util.TreeMap<>();
        files.forEach(key -> bySubvolume.computeIfAbsent(key.subvolume(), subvolume -> new java.util.ArrayList<>())
                .add(key));
        Map<FileKey, List<String>> found = new java.util.HashMap<>();
        for (Map.Entry<Long, List<FileKey>> group : bySubvolume.entrySet()) {
            Map<Long, List<String>> names = paths.pathsOf(group.getKey(), group.getValue().stream()
                    .map(FileKey::inode).toList());
            group.getValue().forEach(key -> found.put(key, names.getOrDefault(key.inode(), List.of())));
        }
        return found;
    }

    /** The file's status if {@code path} still leads to it (same device, inode and generation), as a regular file. */
    static Optional<FileStatus> statusIfStill(LinuxPath mount, String path, FileKey key) {
        try (NativeFile file = FileOpener.open(mount, path, key, NativeFile.Access.READ)) {
            FileStatus status = file.status();
            return status.isRegularFile() ? Optional.of(status) : Optional.empty();
        } catch (IllegalStateException | IOException e) {
            return Optional.empty();
        }
    }
}
