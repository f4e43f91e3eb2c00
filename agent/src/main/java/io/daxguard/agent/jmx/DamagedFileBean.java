package io.daxguard.agent.jmx;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.recovery.FileNames;
import io.daxguard.agent.recovery.FileRecovery;
import io.daxguard.agent.recovery.Mappers;
import io.daxguard.agent.recovery.MappingProcesses;
import io.daxguard.agent.recovery.Principals;
import io.daxguard.agent.recovery.Quarantine;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The MBean of one damaged file: a live view of the ledger's records that name this file, and its repairs. The file
 * is its filesystem's UUID, inode and generation: its filesystem is shown where it is mounted now, and its names are
 * looked up again ({@link FileNames}) whenever they are shown or the file is acted on. Repairs of one file run one at
 * a time (synchronized); how they change the ledger is announced by the ledger's change listener
 * ({@link FileMBeans}), which also unregisters this MBean once no damage of the file is open.
 */
final class DamagedFileBean implements DamagedFileMXBean {
    private final FileKey key;
    private final DamageLedger ledger;
    private final FileNames names;
    private final FileRecovery recovery;
    private final RecoverySettings settings;

    DamagedFileBean(FileKey key, DamageLedger ledger, FileNames names, RecoverySettings settings,
                    java.time.Clock clock) {
        this.key = key;
        this.ledger = ledger;
        this.names = names;
        this.recovery = new FileRecovery(ledger, key, () -> names.mountPoint(key), settings, clock,
                names::current);
        this.settings = settings;
    }

    /** The file under its names now (looked up again). */
    private DamagedFile file() {
        return recovery.file();
    }

    /** The file as recorded: for what names do not change (ranges, states, times). */
    private DamagedFile recorded() {
        return recovery.recorded();
    }

    @Override
    public String getFilesystem() {
        return names.mountPoint(key).toString();
    }

    @Override
    public String getFilesystemUuid() {
        return key.filesystemUuid();
    }

    @Override
    public String getPath() {
        return file().displayPath();
    }

    @Override
    public List<String> getPaths() {
        return file().paths();
    }

    @Override
    public long getInode() {
        return key.inode();
    }

    @Override
    public long getGeneration() {
        return key.generation();
    }

    @Override
    public long getSubvolume() {
        return key.subvolume();
    }

    @Override
    public long getSize() {
        for (String path : file().paths()) {
            try {
                FileStatus status = FileStatus.ofPathNoFollow(recovery.mount().join(LinuxPath.fromDisplay(path)));
                if (status.inode() == key.inode() && status.isRegularFile()) {
                    return status.size();
                }
            } catch (NativeCallException | IllegalArgumentException gone) {
                // Try the next name.
            }
        }
        return -1;
    }

    @Override
    public List<DamagedRangeView> getDamagedRanges() {
        return recorded().hits().stream().map(DamagedRangeView::of).toList();
    }

    @Override
    public long getDamagedBytes() {
        return recorded().damagedBytes();
    }

    @Override
    public List<String> getSharedWith() {
        DamagedFile file = recorded();
        // The other files of this filesystem in the records over the records of this file's shared blocks (a superset
        // of the sharers, which sharedWith picks by their blocks), each from its own records: the cost is this file's
        // neighbourhood, not the ledger's size.
        Set<FileKey> others = new LinkedHashSet<>();
        for (DamagedFile.Hit hit : file.hits()) {
            if (!hit.owner().shared()) {
                continue;
            }
            for (DamageRecord record : ledger.recordsOverlapping(hit.record().device(), hit.record().offset(),
                    hit.record().length())) {
                for (AffectedOwner owner : record.owners()) {
                    owner.fileKey().filter(other -> other.filesystemUuid().equals(key.filesystemUuid())
                            && !other.equals(key)).ifPresent(others::add);
                }
            }
        }
        List<DamagedFile> sharers = others.stream().map(other -> DamagedFile.of(other, ledger.recordsNaming(other)))
                .flatMap(java.util.Optional::stream).toList();
        return file.sharedWith(sharers);
    }

    @Override
    public String getState() {
        return recorded().state().name();
    }

    @Override
    public String getFirstSeen() {
        return recorded().firstSeen().toString();
    }

    @Override
    public String getLastSeen() {
        return recorded().lastSeen().toString();
    }

    @Override
    public List<String> getHistory() {
        return ledger.history(key).stream().map(AuditEntry::line).toList();
    }

    @Override
    public List<String> getMappingProcesses() {
        return Mappers.of(recovery, settings.proc()).stream().map(MappingProcesses.Mapper::line).toList();
    }

    @Override
    public synchronized String verify() {
        return act("verify", principal -> recovery.verify(principal));
    }

    @Override
    public synchronized String rewriteZeros(String confirmPath) {
        return act("rewriteZeros", principal -> recovery.rewriteZeros(principal, confirmPath, false));
    }

    @Override
    public synchronized String forceRewriteZeros(String confirmPath) {
        return act("forceRewriteZeros", principal -> recovery.rewriteZeros(principal, confirmPath, true));
    }

    @Override
    public synchronized String restoreFrom(String replicaPath) {
        return act("restoreFrom", principal -> recovery.restoreFrom(principal, replicaPath, false));
    }

    @Override
    public synchronized String forceRestoreFrom(String replicaPath) {
        return act("forceRestoreFrom", principal -> recovery.restoreFrom(principal, replicaPath, true));
    }

    @Override
    public synchronized String restoreFromReplica() {
        return act("restoreFromReplica", principal -> recovery.restoreFromReplica(principal));
    }

    @Override
    public synchronized String quarantine() {
        return act("quarantine", principal -> Quarantine.quarantine(recovery, principal));
    }

    @Override
    public synchronized String acknowledgeLoss(String note) {
        return act("acknowledgeLoss", principal -> recovery.acknowledgeLoss(principal, note));
    }

    @Override
    public synchronized String signalMappers(String signal) {
        return act("signalMappers", principal -> Mappers.signal(recovery, settings.proc(), principal, signal));
    }

    @FunctionalInterface
    private interface Operation {
        String run(String principal);
    }

    /** Runs a repair; only JDK exceptions leave, with the message the operator reads. */
    private String act(String action, Operation operation) {
        String principal = Principals.current();
        try {
            return operation.run(principal);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException(action + " failed: " + e);
        }
    }
}
