package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.FilesystemControl;
import io.daxguard.support.linux.FilesystemControlException;
import io.daxguard.support.linux.NativeCallException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * {@link FilesystemProtection} through the kernel: {@code FIFREEZE}, {@code FITHAW}, {@code XFS_IOC_GOINGDOWN} /
 * {@code EXT4_IOC_SHUTDOWN} on the mount point of the filesystem with the UUID asked for, wherever it is mounted now
 * (opened through {@link FilesystemRoot}: a clone with another UUID mounted there is refused), and the clearing of
 * free-space damage ({@link FreeSpaceClearing}). Every outcome, done or refused, is audited and logged.
 *
 * <p>The filesystem holding the agent's state directory is never frozen or shut down by the agent: the ledger's
 * writer would wait on the freeze (and with it every detection waiting for its record to be durable, and the audit
 * of the thaw itself), or fail for good after a shutdown; both are refused with that reason, and so is clearing free
 * space there (it freezes). An operator can still run {@code fsfreeze} or {@code xfs_io -x -c shutdown} by hand.
 *
 * <p>Threads: any caller's (JMX threads, the policy engine's own) but the ledger's writer thread, on which
 * {@code DamageListener.recorded} and ledger change listeners run: every action audits through the ledger and waits
 * for that thread's commit (a policy reacting to a recorded damage hands the action to a thread of its own). One
 * action at a time per filesystem (a lock per UUID and device), actions on different filesystems in parallel. Which
 * filesystems daxguard froze and has not thawed is remembered, in memory and in the state directory
 * ({@link RememberedFreezes}: written before the freeze, removed after the thaw, reloaded at start), so that a thaw
 * undoes only daxguard's own freezes (another's, a snapshot tool's, is refused), a shutdown of a filesystem it froze
 * thaws it too (otherwise writes would keep waiting instead of failing), and both work after a restart.
 */
public final class KernelFilesystemProtection implements FilesystemProtection {
    private static final System.Logger LOG = System.getLogger(KernelFilesystemProtection.class.getName());

    private final DamageLedger ledger;
    private final Supplier<List<AttachedFilesystem>> filesystems;
    private final Supplier<Topology> topology;
    private final Path stateDirectory;
    private final Clock clock;
    private final FreeSpaceClearing clearing;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, RememberedFreezes.Freeze> frozen = new ConcurrentHashMap<>();
    private final RememberedFreezes remembered;
    private final List<Consumer<FilesystemRef>> thawListeners = new CopyOnWriteArrayList<>();

    /**
     * @param filesystems    the filesystems attached now (where each UUID is mounted now)
     * @param topology       the block devices now (the node of the device a free-space record names)
     * @param devices        where device nodes are ({@code /dev})
     * @param sysfs          where sysfs is (the device's logical block size)
     * @param stateDirectory the agent's state directory: its filesystem is never frozen or shut down
     */
    public KernelFilesystemProtection(DamageLedger ledger, Supplier<List<AttachedFilesystem>> filesystems,
                                      Supplier<Topology> topology, Path devices, Path sysfs, Path stateDirectory,
                                      Clock clock) {
        this.ledger = Objects.requireNonNull(ledger, "ledger is null");
        this.filesystems = Objects.requireNonNull(filesystems, "filesystems is null");
        this.topology = Objects.requireNonNull(topology, "topology is null");
        this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.clearing = new FreeSpaceClearing(devices, sysfs);
        this.remembered = new RememberedFreezes(stateDirectory);
        reloadRememberedFreezes();
    }

    /** The freezes an earlier agent made and did not undo, still held ({@link RememberedFreezes#reload}). */
    private void reloadRememberedFreezes() {
        remembered.reload().forEach(freeze -> frozen.put(key(freeze.uuid(), freeze.device()), freeze));
    }

    /** Called with the filesystem after each thaw daxguard made (a policy's refused steps may run now). */
    public void whenThawed(Consumer<FilesystemRef> listener) {
        thawListeners.add(Objects.requireNonNull(listener, "listener is null"));
    }

    @Override
    public ProtectionResult freeze(FilesystemRef filesystem, String principal) {
        return acting(filesystem, principal, "freeze", (attached, root) -> {
            refuseStateDirectory(root, "freeze it");
            RememberedFreezes.Freeze freeze = new RememberedFreezes.Freeze(filesystem.uuid(), filesystem.device(),
                    root.mountPoint(), clock.instant(), principal);
            try {
                // Kept before the freeze: an agent killed right after it still knows, at its next start, whose it is.
                remembered.remember(freeze);
            } catch (IOException e) {
                throw new IllegalStateException("refused: the freeze cannot be kept in " + remembered.directory()
                        + " (" + e + "), so a restarted agent would not know it froze " + root.mountPoint()
                        + "; nothing frozen");
            }
            try {
                FilesystemControl.freeze(root.descriptor());
            } catch (FilesystemControlException | RuntimeException e) {
                remembered.forget(freeze);
                throw e;
            }
            frozen.put(key(filesystem), freeze);
            return "frozen: every write to " + root.mountPoint() + " waits until it is thawed (daxguard thaw "
                    + root.mountPoint() + ", the Filesystem MBean's thaw(), or fsfreeze -u " + root.mountPoint() + ")";
        });
    }

    @Override
    public ProtectionResult thaw(FilesystemRef filesystem, String principal) {
        ProtectionResult result = acting(filesystem, principal, "thaw", (attached, root) -> {
            if (!frozen.containsKey(key(filesystem))) {
                // FITHAW undoes any FIFREEZE: a snapshot tool's freeze thawed under it copies a changing filesystem.
                throw new IllegalStateException("not done: the filesystem is not frozen by daxguard: nobody froze it, "
                        + "or someone else did (fsfreeze -f, a snapshot or backup tool), and daxguard leaves that "
                        + "freeze to them; ask whoever froze " + root.mountPoint() + ", or, if you are sure it must "
                        + "end, run fsfreeze -u " + root.mountPoint() + " by hand");
            }
            try {
                FilesystemControl.thaw(root.descriptor());
            } finally {
                // Thawed, or not frozen any more (thawed by hand meanwhile): either way no freeze of daxguard's is left.
                forget(filesystem);
            }
            return "thawed: writes to " + root.mountPoint() + " go on";
        });
        if (result.done()) {
            thawListeners.forEach(listener -> listener.accept(filesystem));
        }
        return result;
    }

    private void forget(FilesystemRef filesystem) {
        RememberedFreezes.Freeze freeze = frozen.remove(key(filesystem));
        if (freeze != null) {
            remembered.forget(freeze);
        }
    }

    @Override
    public ProtectionResult shutdown(FilesystemRef filesystem, String principal) {
        return acting(filesystem, principal, "shutdown", (attached, root) -> {
            refuseStateDirectory(root, "shut it down");
            String type = attached.mount().fsType();
            String repair;
            switch (type) {
                case "xfs" -> {
                    FilesystemControl.shutdownXfs(root.descriptor());
                    repair = "xfs_repair " + attached.mount().source();
                }
                case "ext4" -> {
                    FilesystemControl.shutdownExt4(root.descriptor());
                    repair = "e2fsck -f " + attached.mount().source();
                }
                default -> throw new IllegalStateException("refused: daxguard shuts down xfs and ext4 only, "
                        + root.mountPoint() + " is " + type + "; nothing done");
            }
            String thawed = "";
            if (frozen.containsKey(key(filesystem))) {
                forget(filesystem);
                // Writers waiting on daxguard's freeze would go on waiting: thawed, they fail with EIO as they should.
                FilesystemControl.thaw(root.descriptor());
                thawed = " (it was frozen by daxguard: thawed, so waiting writes fail instead of waiting)";
            }
            return "shut down: every I/O on " + root.mountPoint() + " fails with EIO until it is unmounted" + thawed
                    + "; unmount it, run " + repair + ", mount it again";
        });
    }

    @Override
    public ProtectionResult clearFreeSpace(DamageRecord record, String principal) {
        DamageRecord now = ledger.find(record.id()).orElse(record);
        List<Integer> free = openFreeOwners(now);
        String action = "clearFreeSpace";
        Optional<AttachedFilesystem> attached = filesystems.get().stream().filter(fs -> fs.holds(now)).findFirst();
        String where = attached.map(fs -> fs.mount().mountPoint().toString())
                .orElse(now.filesystem().map(FilesystemRef::mountPoint).orElse(now.deviceName()));
        String subject = "record " + now.id() + " (" + now.deviceName() + " bytes " + now.offset() + "+" + now.length()
                + ")";
        if (free.isEmpty()) {
            return audited(principal, action, where, false, "nothing to clear in " + subject + ": no open free-space "
                    + "owner; state " + now.state());
        }
        if (attached.isEmpty()) {
            return audited(principal, action, where, false, "refused: the filesystem of " + subject + " (uuid "
                    + now.filesystem().map(FilesystemRef::uuid).orElse("?") + ") is not mounted on its disk now; "
                    + "nothing written");
        }
        AttachedFilesystem filesystem = attached.get();
        return acting(filesystem.reference(), principal, action, (held, root) -> {
            refuseStateDirectory(root, "clear free space there (it is frozen meanwhile)");
            if (!now.device().equals(filesystem.mount().device())) {
                throw new IllegalStateException("refused: " + subject + " was recorded on device " + now.device()
                        + ", the filesystem is on " + filesystem.mount().device() + " now; report the damage again"
                        + " there; nothing written");
            }
            BlockDevice device = topology.get().byNumber(now.device()).orElseThrow(() -> new IllegalStateException(
                    "refused: no block device " + now.device() + " now; nothing written"));
            if (now.end() > device.size()) {
                throw new IllegalStateException("refused: " + subject + " ends past the end of " + device.name()
                        + " (" + device.size() + " bytes); nothing written");
            }
            DirectIoAlignment alignment = clearing.alignment(device);
            List<PageRange> asked = free.stream().map(index -> now.owners().get(index).owner())
                    .map(owner -> new PageRange(owner.physicalOffset(), owner.physicalEnd())).toList();
            List<PageRange> ranges = FreeSpaceClearing.rounded(asked, alignment, device.size());
            FreeSpaceClearing.Outcome outcome = clearing.clear(root, device, ranges, alignment);
            List<StateChange> changes = new ArrayList<>();
            for (int index : free) {
                AffectedOwner owner = now.owners().get(index);
                boolean clean = outcome.clean().stream().anyMatch(range -> range.start()
                        <= owner.owner().physicalOffset() && owner.owner().physicalEnd() <= range.end());
                if (clean) {
                    changes.add(new StateChange(now.id(), index, DamageState.REWRITTEN, null));
                }
            }
            String result = (changes.isEmpty() ? "not cleared: " : "cleared: ") + "zeros written over " + ranges
                    + " of " + device.name() + " while " + root.mountPoint() + " was frozen and they were free; "
                    + changes.size() + " of " + free.size() + " free-space owner(s) of " + subject + " read back clean"
                    + (changes.isEmpty() ? "" : ", closed as REWRITTEN")
                    + (outcome.bad().isEmpty() ? "" : "; still bad: " + String.join(", ", outcome.bad()))
                    + (outcome.thawProblem() == null ? "; thawed" : "; " + outcome.thawProblem());
            if (changes.isEmpty()) {
                throw new IllegalStateException(result);
            }
            ledger.change(changes, entry(principal, action, result + " [" + root.mountPoint() + "]"));
            return new Recorded(result);
        });
    }

    /** The open free-space owners of {@code record}, by index. */
    public static List<Integer> openFreeOwners(DamageRecord record) {
        List<Integer> indexes = new ArrayList<>();
        for (int index = 0; index < record.owners().size(); index++) {
            AffectedOwner owner = record.owners().get(index);
            if (owner.open() && owner.owner() instanceof FreeSpaceOwner) {
                indexes.add(index);
            }
        }
        return indexes;
    }

    /** The filesystems daxguard froze and has not thawed, by {@code uuid@major:minor}. */
    public Map<String, Frozen> frozen() {
        Map<String, Frozen> copy = new java.util.HashMap<>();
        frozen.forEach((key, freeze) -> copy.put(key, new Frozen(freeze.at(), freeze.principal())));
        return Map.copyOf(copy);
    }

    @Override
    public Optional<Frozen> frozen(FilesystemRef filesystem) {
        return Optional.ofNullable(frozen.get(key(filesystem))).map(freeze -> new Frozen(freeze.at(),
                freeze.principal()));
    }

    @Override
    public Optional<Frozen> frozenNow(FilesystemRef filesystem) {
        if (!frozen.containsKey(key(filesystem))) {
            return Optional.empty();
        }
        Optional<AttachedFilesystem> attached = attached(filesystem);
        if (attached.isEmpty()) {
            return frozen(filesystem);
        }
        ReentrantLock lock = locks.computeIfAbsent(key(filesystem), ignored -> new ReentrantLock());
        lock.lock();
        try (FilesystemRoot root = FilesystemRoot.ofRecordedFilesystem(attached.get().mount().mountPoint(),
                filesystem.uuid())) {
            if (FilesystemControl.isFrozen(root.descriptor())) {
                return frozen(filesystem);
            }
            forget(filesystem);
            LOG.log(System.Logger.Level.INFO, root.mountPoint() + " was frozen by daxguard but has been thawed by "
                    + "someone else since (fsfreeze -u): that freeze is forgotten");
            return Optional.empty();
        } catch (FilesystemControlException e) {
            return frozen(filesystem); // frozen still (EBUSY), or it cannot be told: daxguard's freeze stands
        } catch (RuntimeException e) {
            return frozen(filesystem);
        } finally {
            lock.unlock();
        }
    }

    private Optional<AttachedFilesystem> attached(FilesystemRef reference) {
        return filesystems.get().stream().filter(fs -> fs.holder().isPresent()
                && fs.reference().uuid().equals(reference.uuid()) && fs.mount().device().equals(reference.device()))
                .findFirst();
    }

    private static String key(FilesystemRef filesystem) {
        return key(filesystem.uuid(), filesystem.device());
    }

    private static String key(String uuid, DeviceNumber device) {
        return uuid + "@" + device;
    }

    @FunctionalInterface
    private interface Action {
        /** What was done; an {@link IllegalStateException} for a refusal. */
        Object run(AttachedFilesystem attached, FilesystemRoot root) throws IOException;
    }

    /** A result the action recorded with its own ledger change (so it is not audited twice). */
    private record Recorded(String message) {
    }

    /**
     * Runs {@code action} on the filesystem {@code reference} names (its UUID on its device, mounted now), its root
     * opened with the UUID checked, under the filesystem's lock; audits and logs the outcome.
     */
    private ProtectionResult acting(FilesystemRef reference, String principal, String action, Action work) {
        Optional<AttachedFilesystem> attached = attached(reference);
        String where = attached.map(fs -> fs.mount().mountPoint().toString()).orElse(reference.mountPoint());
        if (attached.isEmpty()) {
            return audited(principal, action, where, false, "refused: no filesystem with uuid " + reference.uuid()
                    + " is held on device " + reference.device() + " now; nothing done");
        }
        ReentrantLock lock = locks.computeIfAbsent(key(reference), ignored -> new ReentrantLock());
        lock.lock();
        try (FilesystemRoot root = FilesystemRoot.ofRecordedFilesystem(attached.get().mount().mountPoint(),
                reference.uuid())) {
            Object done = work.run(attached.get(), root);
            if (done instanceof Recorded recorded) {
                log(principal, action, where, true, recorded.message());
                return new ProtectionResult(true, recorded.message());
            }
            return audited(principal, action, where, true, "ok: " + done);
        } catch (FilesystemControlException e) {
            return audited(principal, action, where, false, "not done: " + e.getMessage());
        } catch (IllegalStateException e) {
            return audited(principal, action, where, false, e.getMessage());
        } catch (IOException | RuntimeException e) {
            // Audited whatever went wrong: an action that fails unexpectedly is still in the history.
            return audited(principal, action, where, false, action + " failed: " + e);
        } finally {
            lock.unlock();
        }
    }

    /** Refuses when the agent's state directory is on the filesystem of {@code root}. */
    private void refuseStateDirectory(FilesystemRoot root, String what) {
        FileStatus state;
        try {
            state = FileStatus.ofPath(stateDirectory);
        } catch (NativeCallException e) {
            return; // No state directory to stop: the ledger is not on any filesystem the agent could freeze.
        }
        if (state.device().equals(root.device())) {
            throw new IllegalStateException("refused: the agent's state directory " + stateDirectory + " is on "
                    + root.mountPoint() + "; to " + what + " would stop the ledger (and detection, which waits for "
                    + "each record to be durable); do it by hand if it must be done (fsfreeze, xfs_io -x -c shutdown)");
        }
    }

    /**
     * Audits and logs the outcome. An audit that cannot be made durable (the ledger's disk failing; it waits at most
     * the ledger's bound) does not turn an action that was done into an exception: the answer says so.
     */
    private ProtectionResult audited(String principal, String action, String where, boolean done, String result) {
        String line = result + " [" + where + "]";
        String answer = result;
        try {
            ledger.audit(entry(principal, action, line));
        } catch (IllegalStateException notDurable) {
            answer = result + " (audit not durable: " + notDurable.getMessage() + ")";
        }
        log(principal, action, where, done, answer);
        return new ProtectionResult(done, answer);
    }

    private static void log(String principal, String action, String where, boolean done, String result) {
        LOG.log(done ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                action + " of " + where + " by " + principal + ": " + result);
    }

    private AuditEntry entry(String principal, String action, String result) {
        return new AuditEntry(clock.instant(), principal, action, FileKey.NONE, "", result);
    }
}
