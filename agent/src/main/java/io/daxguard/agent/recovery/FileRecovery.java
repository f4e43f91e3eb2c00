package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.spi.Fork;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The repairs of one damaged file, each checked, audited and idempotent: verify, rewrite with zeros, restore
 * from a replica, quarantine, acknowledge the loss. Only this file's side of a shared (reflinked) block is
 * ever closed; the other sharers keep their own state.
 *
 * <p>Every operation works on the file's open data ranges as the ledger has them when it starts, rounded out
 * to whole pages and whole logical blocks of the filesystem's device (its logical block size and DMA alignment
 * are read from sysfs once per operation and passed down to every read). Exceptions are JDK types with the
 * message an operator reads: {@link IllegalArgumentException} for a bad argument, {@link IllegalStateException}
 * for a refusal or failure.
 */
public final class FileRecovery {
    private final DamageLedger ledger;
    private final FileKey key;
    private final Supplier<LinuxPath> mountPoint;
    private final RecoverySettings settings;
    private final Clock clock;
    private final UnaryOperator<DamagedFile> namesNow;

    /**
     * @param mountPoint where the file's filesystem is mounted now (it may have moved since detection)
     * @param settings   where sysfs is (the logical block size and DMA alignment of the filesystem's device) and the
     *                   replica roots
     * @param namesNow   the file with its names now ({@link FileNames#current}): every operation acts on the file by
     *                   the name it has when the operation starts, not the one it had at detection
     */
    public FileRecovery(DamageLedger ledger, FileKey key, Supplier<LinuxPath> mountPoint, RecoverySettings settings,
                        Clock clock, UnaryOperator<DamagedFile> namesNow) {
        this.namesNow = Objects.requireNonNull(namesNow, "namesNow is null");
        this.ledger = Objects.requireNonNull(ledger, "ledger is null");
        this.key = Objects.requireNonNull(key, "key is null");
        this.mountPoint = Objects.requireNonNull(mountPoint, "mountPoint is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** The file as the ledger has it now, under the names it has now. */
    public DamagedFile file() {
        return namesNow.apply(recorded());
    }

    /** The file as the ledger has it now, under its recorded names (no look-up). */
    public DamagedFile recorded() {
        return DamagedFile.of(key, ledger.recordsNaming(key)).orElseThrow(() -> new IllegalStateException("no damage recorded for inode " + key.inode()));
    }

    /** Where the file's filesystem is mounted now. */
    public LinuxPath mount() {
        return mountPoint.get();
    }

    /** The filesystem's root, held for one action: the filesystem the damage was recorded on, or a refusal. */
    FilesystemRoot root() {
        return FilesystemRoot.ofRecordedFilesystem(mount(), key.filesystemUuid());
    }

    /** The alignment of the device of the file's filesystem, as its root descriptor shows it. */
    private DirectIoAlignment alignment(FilesystemRoot root) throws java.io.IOException {
        return DirectIoAlignment.ofDevice(settings.sysfs(), root.device());
    }

    private List<DamagedFile.Hit> openData(DamagedFile file) {
        return file.openHits().stream().filter(hit -> hit.owner().fork() == Fork.DATA).toList();
    }

    /**
     * Whether the operator's {@code confirmPath} names the file: its path or its full path, compared as the bytes
     * the display forms stand for (so {@code caf\xc3\xa9} confirms {@code café} too).
     */
    private boolean confirms(String confirmPath, String path) {
        if (confirmPath == null) {
            return false;
        }
        try {
            LinuxPath confirmed = LinuxPath.fromDisplay(confirmPath);
            LinuxPath relative = LinuxPath.fromDisplay(path);
            return confirmed.equals(relative) || confirmed.equals(mount().join(relative));
        } catch (IllegalArgumentException notAName) {
            return false;
        }
    }

    /** Why there is nothing to do: no open damage, or only in places reading or writing the file cannot reach. */
    private static String nothingOpen(DamagedFile file, String verb) {
        long elsewhere = file.openHits().stream().filter(hit -> hit.owner().fork() != Fork.DATA).count();
        if (elsewhere > 0) {
            return "no open data range to " + verb + "; " + elsewhere + " open range(s) are in the file's extended "
                    + "attributes or block map, which only the filesystem's repair tool (offline) or acknowledgeLoss "
                    + "can close";
        }
        return "nothing open to " + verb + "; state " + file.state();
    }

    /** Re-reads every open range with O_DIRECT; ranges that read clean are closed as VERIFIED_GOOD. */
    public String verify(String principal) {
        DamagedFile file = file();
        List<DamagedFile.Hit> open = openData(file);
        if (open.isEmpty()) {
            return audited(principal, "verify", file, nothingOpen(file, "verify"));
        }
        Verdict verdict = guarded(principal, "verify", file, () -> {
            try (FilesystemRoot root = root()) {
                return readBack(root, file, open, null, alignment(root));
            }
        });
        return record(principal, "verify", file, verdict, DamageState.VERIFIED_GOOD, "read clean", "");
    }

    /**
     * Writes zeros over every open data range, whole pages, then fsync and verify; ranges that then read clean
     * are closed as REWRITTEN. The data there is lost. Refused, with nothing written, unless the filesystem is the
     * recorded one (UUID), the file is (inode, generation), it still maps the damaged blocks, and every range still
     * reads bad; {@code force} skips only the last check.
     */
    public String rewriteZeros(String principal, String confirmPath, boolean force) {
        return rewriteZeros(principal, confirmPath, force, -1);
    }

    /**
     * {@link #rewriteZeros(String, String, boolean)}, refused unless the file opened for writing still has
     * {@code links} names (when not negative): the number a policy counted when it checked that every name is under
     * a disposable directory, so a link made since is not zeroed through.
     */
    String rewriteZeros(String principal, String confirmPath, boolean force, int links) {
        String action = force ? "forceRewriteZeros" : "rewriteZeros";
        DamagedFile file = file();
        String path = file.displayPath();
        if (!confirms(confirmPath, path)) {
            throw new IllegalArgumentException(action + ": confirmPath must be the file's path, \"" + path
                    + "\" (or \"" + LinuxPath.joinDisplayed(mount().display(), path) + "\"), to confirm that its damaged"
                    + " ranges are overwritten with zeros;"
                    + " was \"" + confirmPath + "\"");
        }
        List<DamagedFile.Hit> open = openData(file);
        if (open.isEmpty()) {
            return audited(principal, action, file, nothingOpen(file, "rewrite"));
        }
        Verdict verdict = guarded(principal, action, file, () -> {
            try (FilesystemRoot root = root();
                 NativeFile target = FileOpener.open(root, path, key, NativeFile.Access.WRITE)) {
                DirectIoAlignment alignment = alignment(root);
                int linksNow = target.status().links();
                if (links >= 0 && linksNow != links) {
                    throw new IllegalStateException("refused: " + LinuxPath.joinDisplayed(mount().display(), path)
                            + " has " + linksNow + " names now, " + links + " when they were checked against the "
                            + "disposable directories; nothing written");
                }
                requireStillDamaged(root, target, path, open, alignment, force ? null : "forceRewriteZeros");
                long size = target.status().size();
                for (PageRange range : merged(open, size, alignment)) {
                    RangeIo.writeZeros(target, range);
                }
                target.fsync();
                return readBack(root, file, open, null, alignment);
            }
        });
        return record(principal, action, file, verdict, DamageState.REWRITTEN,
                "zeros written and read clean", " (the data in those ranges is lost)");
    }

    /**
     * Copies every open data range (whole pages) from {@code replica}, fsync, re-reads with O_DIRECT and compares
     * the bytes; ranges that match are closed as RESTORED. The replica must be under a configured replica root
     * ({@link Replica}); the checks before the write are {@link #rewriteZeros}'s.
     */
    public String restoreFrom(String principal, String replicaPath, boolean force) {
        return restoreFrom(principal, new ReplicaLookup.ReplicaCopy(replicaPath, Optional.empty(), ""), force);
    }

    private String restoreFrom(String principal, ReplicaLookup.ReplicaCopy copy, boolean force) {
        String replicaPath = copy.path();
        String action = (force ? "forceRestoreFrom " : "restoreFrom ") + replicaPath;
        DamagedFile file = file();
        String path = file.displayPath();
        List<DamagedFile.Hit> open = openData(file);
        if (open.isEmpty()) {
            return audited(principal, action, file, nothingOpen(file, "restore"));
        }
        Verdict verdict = guarded(principal, action, file, () -> {
            try (FilesystemRoot root = root();
                 NativeFile target = FileOpener.open(root, path, key, NativeFile.Access.WRITE);
                 Replica replica = Replica.open(settings.replicaRoots(), replicaPath, target.status())) {
                DirectIoAlignment alignment = alignment(root);
                requireStillDamaged(root, target, path, open, alignment, force ? null : "forceRestoreFrom");
                if (copy.sha256().isPresent()) {
                    replica.requireSha256(copy.sha256().get(), copy.provider());
                }
                for (PageRange range : merged(open, replica.size(), alignment)) {
                    RangeIo.copy(replica.descriptor(), target, range);
                }
                target.fsync();
                return readBack(root, file, open, replica, alignment);
            }
        });
        return record(principal, action, file, verdict, DamageState.RESTORED,
                "restored and read back equal to the replica" + copy.sha256().map(sum -> " (its SHA-256 equal to the one "
                        + "replica provider " + copy.provider() + " recorded)").orElse(""), "");
    }

    /**
     * {@link #restoreFrom} the copy the configured replica provider names ({@link ReplicaLookup}); when it names none,
     * the refusal is audited too.
     */
    public String restoreFromReplica(String principal) {
        DamagedFile file = file();
        ReplicaLookup.ReplicaCopy replica;
        try {
            replica = ReplicaLookup.copyOf(settings, mount(), file);
        } catch (IllegalStateException e) {
            ledger.audit(entry(principal, "restoreFromReplica", file, e.getMessage()));
            throw e;
        }
        return restoreFrom(principal, replica, false);
    }

    /**
     * The checks between the file's identity and the first write: it still maps the damaged blocks, and (unless
     * {@code forcedBy} is null: forced) every range still reads bad.
     */
    private void requireStillDamaged(FilesystemRoot root, NativeFile target, String path, List<DamagedFile.Hit> open,
                                     DirectIoAlignment alignment, String forcedBy) throws java.io.IOException {
        String shown = LinuxPath.joinDisplayed(root.mountPoint().display(), path);
        StillDamaged.requireMapped(target, open, shown);
        if (forcedBy != null) {
            try (NativeFile direct = FileOpener.open(root, path, key, NativeFile.Access.READ_DIRECT)) {
                StillDamaged.requireReadsBad(direct, open, alignment, shown, forcedBy);
            }
        }
    }

    /** Closes every open range as ACKNOWLEDGED: the loss is accepted, nothing is written. */
    public String acknowledgeLoss(String principal, String note) {
        DamagedFile file = file();
        List<DamagedFile.Hit> open = file.openHits();
        if (open.isEmpty()) {
            return audited(principal, "acknowledgeLoss", file, "nothing open to acknowledge; state " + file.state());
        }
        String result = "loss accepted for " + open.size() + " range(s)" + (note == null || note.isBlank() ? ""
                : ": " + note.strip());
        ledger.change(open.stream().map(hit -> new StateChange(hit.record().id(), hit.ownerIndex(),
                DamageState.ACKNOWLEDGED, null)).toList(), entry(principal, "acknowledgeLoss", file, result));
        return result;
    }

    List<PageRange> merged(List<DamagedFile.Hit> hits, long size, DirectIoAlignment alignment) {
        List<PageRange> ranges = new ArrayList<>();
        hits.stream().map(hit -> PageRange.of(hit, alignment)).map(range -> range.clippedForWrite(size))
                .filter(range -> !range.isEmpty()).sorted((a, b) -> Long.compare(a.start(), b.start()))
                .forEach(range -> {
                    if (!ranges.isEmpty() && ranges.get(ranges.size() - 1).end() >= range.start()) {
                        PageRange last = ranges.remove(ranges.size() - 1);
                        ranges.add(new PageRange(last.start(), Math.max(last.end(), range.end())));
                    } else {
                        ranges.add(range);
                    }
                });
        return ranges;
    }

    /** Which hits now read clean with O_DIRECT (and, with a replica, read back equal to it), chunk by chunk. */
    private Verdict readBack(FilesystemRoot root, DamagedFile file, List<DamagedFile.Hit> hits, Replica replica,
                             DirectIoAlignment alignment) throws java.io.IOException {
        List<DamagedFile.Hit> good = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        try (NativeFile check = FileOpener.open(root, file.displayPath(), key, NativeFile.Access.READ_DIRECT)) {
            long size = check.status().size();
            for (DamagedFile.Hit hit : hits) {
                PageRange range = PageRange.of(hit, alignment).clippedForDirectRead(size, alignment);
                if (range.isEmpty()) {
                    good.add(hit); // the damaged bytes are past the end of the file now
                    continue;
                }
                boolean[] differs = {false};
                try {
                    RangeIo.readDirect(check, range, alignment, (offset, chunk, length) -> {
                        differs[0] = replica != null && !replica.sameBytes(offset, chunk, length);
                        return !differs[0];
                    });
                    if (differs[0]) {
                        bad.add(range + ": differs from the replica after the copy");
                    } else {
                        good.add(hit);
                    }
                } catch (NativeCallException e) {
                    bad.add(range + ": " + NativeCallException.errnoName(e.errno()));
                }
            }
        }
        return new Verdict(good, bad);
    }

    private record Verdict(List<DamagedFile.Hit> good, List<String> bad) {
    }

    @FunctionalInterface
    private interface Work {
        Verdict run() throws NativeCallException, java.io.IOException;
    }

    /** Runs the work; a refusal or failure is audited and rethrown as IllegalStateException. */
    private Verdict guarded(String principal, String action, DamagedFile file, Work work) {
        try {
            return work.run();
        } catch (IllegalStateException | IllegalArgumentException e) {
            ledger.audit(entry(principal, action, file, e.getMessage()));
            throw e;
        } catch (java.io.IOException | RuntimeException e) {
            // Audited whatever went wrong: an action that fails unexpectedly is still in the file's history.
            String message = action + " failed: " + e;
            ledger.audit(entry(principal, action, file, message));
            throw new IllegalStateException(message, e);
        }
    }

    private String record(String principal, String action, DamagedFile file, Verdict verdict, DamageState closedAs,
                          String goodWords, String lossNote) {
        String result = verdict.good().size() + " range(s) " + goodWords + lossNote + ", closed as " + closedAs
                + (verdict.bad().isEmpty() ? "" : "; still damaged: " + String.join(", ", verdict.bad()));
        List<StateChange> changes = verdict.good().stream()
                .map(hit -> new StateChange(hit.record().id(), hit.ownerIndex(), closedAs, null)).toList();
        if (changes.isEmpty()) {
            ledger.audit(entry(principal, action, file, result));
        } else {
            ledger.change(changes, entry(principal, action, file, result));
        }
        return result;
    }

    private String audited(String principal, String action, DamagedFile file, String result) {
        ledger.audit(entry(principal, action, file, result));
        return result;
    }

    AuditEntry entry(String principal, String action, DamagedFile file, String result) {
        return new AuditEntry(clock.instant(), principal, action, key, file.displayPath(), result);
    }

    FileKey key() {
        return key;
    }

    DamageLedger ledger() {
        return ledger;
    }
}
