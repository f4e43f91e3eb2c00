package io.daxguard.agent.jmx;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.LedgerChange;
import io.daxguard.agent.recovery.FileNames;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.spi.LinuxPath;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.AttributeChangeNotification;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * The DamagedFile MBeans: one for each file with open damage (up to a cap per filesystem), named after where its
 * filesystem is mounted now (its UUID on its disk: {@code AttachedFilesystem.holds}) and the file's name now; none
 * for a file whose damage is closed.
 *
 * <ul>
 *   <li>A file gets its MBean when it has open damage: at start (replayed records), when a record names it.
 *   <li>The ledger's changes ({@link DamageLedger#onChange}) move the MBeans with the ledger, at once: a file whose
 *       last open damage was closed (rewritten, restored, acknowledged, quarantined, file gone, superseded,
 *       filesystem gone) loses its MBean, after a {@code State} change on it and on the Agent's stream, and
 *       {@code io.daxguard.file.recovered} says so (path, MBean name, unregistered); a file whose names changed
 *       (a rename followed by {@link FileNames}, a quarantine) is registered again under its new name.
 *   <li>A filesystem mounted elsewhere ({@link #remounted}) takes its files' MBeans to the new mount point.
 * </ul>
 *
 * <p>Threads: every method holds this object's lock; {@link #changed} runs on the ledger's writer thread. Nothing
 * here waits for the ledger's writer (it would wait for itself), so names are never looked up here, only read
 * from the records.
 */
final class FileMBeans implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FileMBeans.class.getName());

    /** Where the MBeans' closing notifications go: the Agent MBean's aggregate stream. */
    interface Announcer {
        void stateChanged(ObjectName source, String message, String before, String after);

        void recovered(String message, JmxSurface.RecoveredView view);
    }

    /** A registered MBean and its own notification stream. */
    private record Registered(ObjectName name, DescribedMBean<DamagedFileMXBean> mbean,
                              NotificationBroadcasterSupport events) {
    }

    private final MBeanServer server;
    private final DamageLedger ledger;
    private final FileNames names;
    private final RecoverySettings recovery;
    private final Clock clock;
    private final int perFilesystem;
    private final Announcer announcer;
    private final Map<FileKey, Registered> files = new LinkedHashMap<>();
    /** MBeans per filesystem UUID, for the cap. */
    private final Map<String, Integer> counts = new HashMap<>();
    private final Set<String> capWarned = new java.util.HashSet<>();
    private long sequence;
    private boolean closed;

    FileMBeans(MBeanServer server, DamageLedger ledger, FileNames names, RecoverySettings recovery, Clock clock,
               int perFilesystem, Announcer announcer) {
        this.server = server;
        this.ledger = ledger;
        this.names = names;
        this.recovery = recovery;
        this.clock = clock;
        this.perFilesystem = perFilesystem;
        this.announcer = announcer;
    }

    /** Registers an MBean for every file with open damage in the ledger. */
    synchronized void registerOpen() {
        for (DamagedFile file : DamagedFile.group(ledger.records())) {
            if (!file.openHits().isEmpty()) {
                register(file);
            }
        }
    }

    /** A new record: its files have open damage. Registered from the record alone (a storm of records is cheap). */
    synchronized void recorded(DamageRecord record) {
        if (closed) {
            return;
        }
        for (AffectedOwner owner : record.owners()) {
            Optional<FileKey> key = owner.fileKey().map(seen -> seen.onMedium(record.medium()));
            if (owner.open() && key.isPresent() && !files.containsKey(key.get())) {
                register(new DamagedFile(key.get(), owner.paths(), List.of()));
            }
        }
    }

    /** The ledger changed: closed files lose their MBeans, renamed ones are registered under their new names. */
    synchronized void changed(LedgerChange change) {
        if (closed) {
            return;
        }
        Set<FileKey> keys = change.records().stream().flatMap(record -> record.owners().stream())
                .map(AffectedOwner::fileKey).flatMap(Optional::stream).collect(Collectors.toSet());
        for (DamagedFile file : filesOf(keys)) {
            Registered registered = files.get(file.key());
            if (file.openHits().isEmpty()) {
                if (registered != null) {
                    closeFile(file, registered, change.audit());
                }
            } else if (registered == null) {
                register(file);
            } else {
                follow(file, registered);
            }
        }
    }

    /**
     * Filesystems were mounted, unmounted or moved: every MBean takes its filesystem's mount point now. Only the
     * files whose filesystem is mounted somewhere else now are looked at again: the mount table changes for every
     * mount of the host (a tmpfs, a container), and regrouping every damaged file's records each time, under the
     * lock that recording new damage needs, stalled the agent.
     */
    synchronized void remounted() {
        if (closed || files.isEmpty()) {
            return;
        }
        Set<FileKey> moved = new java.util.HashSet<>();
        files.forEach((key, registered) -> {
            if (!ObjectName.quote(names.mountPoint(key).toString())
                    .equals(registered.name().getKeyProperty("filesystem"))) {
                moved.add(key);
            }
        });
        for (DamagedFile file : filesOf(moved)) {
            Registered registered = files.get(file.key());
            if (registered != null) {
                follow(file, registered);
            }
        }
    }

    synchronized Optional<ObjectName> nameOf(FileKey key) {
        Registered registered = files.get(key);
        return registered == null ? Optional.empty() : Optional.of(registered.name());
    }

    private List<DamagedFile> filesOf(Set<FileKey> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        // Each file from its own records: a change of one record in a ledger of 100,000 does not regroup them all.
        return keys.stream().map(key -> DamagedFile.of(key, ledger.recordsNaming(key))).flatMap(Optional::stream)
                .sorted(java.util.Comparator.comparing(DamagedFile::displayPath)).toList();
    }

    /** The name the file's MBean should have now: its filesystem's mount point now, its first name. */
    private ObjectName wantedName(DamagedFile file, boolean withInode) {
        String mountPoint = names.mountPoint(file.key()).toString();
        // Two files of one inode number in two subvolumes (a file and its snapshot) are told apart by subvolume too.
        String subvolume = file.key().subvolume() == 0 ? "" : "subvolume " + file.key().subvolume() + " ";
        return ObjectNames.damagedFile(mountPoint, file.displayPath() + (withInode ? " (" + subvolume + "inode "
                + file.key().inode() + ")" : ""));
    }

    private void register(DamagedFile file) {
        String uuid = file.key().filesystemUuid();
        int count = counts.getOrDefault(uuid, 0);
        if (count >= perFilesystem) {
            if (capWarned.add(uuid)) {
                LOG.log(System.Logger.Level.WARNING, names.mountPoint(file.key()) + " has more than " + perFilesystem
                        + " damaged files; the rest are listed by listDamagedFiles only");
            }
            return;
        }
        FileKey key = file.key();
        DamagedFileBean bean = new DamagedFileBean(key, ledger, names, recovery, clock);
        // Delivered on the thread that sends (no executor): a file's last State change is sent just before its MBean
        // is unregistered, and must reach the listeners the MBean still has.
        NotificationBroadcasterSupport events = new NotificationBroadcasterSupport(JmxSurface.stateChanges(
                "This file's State changed (OPEN to REWRITTEN, RESTORED, ...); then the MBean goes away"));
        DescribedMBean<DamagedFileMXBean> mbean = new DescribedMBean<>(bean, DamagedFileMXBean.class, events);
        ObjectName name = registerFree(mbean, file);
        if (name != null) {
            files.put(key, new Registered(name, mbean, events));
            counts.merge(uuid, 1, Integer::sum);
        }
    }

    /** Registers under the wanted name, or with the inode added when another file holds it; null when neither. */
    private ObjectName registerFree(DescribedMBean<DamagedFileMXBean> mbean, DamagedFile file) {
        for (ObjectName name : List.of(wantedName(file, false), wantedName(file, true))) {
            if (server.isRegistered(name)) {
                continue; // another file took this name (a replaced file at the same path): told apart by inode
            }
            try {
                server.registerMBean(mbean, name);
                return name;
            } catch (JMException e) {
                LOG.log(System.Logger.Level.WARNING, "could not register " + name + ": " + e.getMessage());
                return null;
            }
        }
        return null;
    }

    /** Registers the file's MBean again when its name (mount point or path) is not the one wanted now. */
    private void follow(DamagedFile file, Registered registered) {
        if (registered.name().equals(wantedName(file, false)) || registered.name().equals(wantedName(file, true))) {
            return;
        }
        unregister(registered.name());
        ObjectName name = registerFree(registered.mbean(), file);
        if (name == null) {
            files.remove(file.key());
            counts.merge(file.key().filesystemUuid(), -1, Integer::sum);
            return;
        }
        files.put(file.key(), new Registered(name, registered.mbean(), registered.events()));
        LOG.log(System.Logger.Level.INFO, "damaged file " + registered.name() + " is " + name + " now");
    }

    /** The file's last open damage was closed: State change, unregister, then file.recovered saying so. */
    private void closeFile(DamagedFile file, Registered registered, AuditEntry audit) {
        DamageState state = file.state();
        String shown = LinuxPath.joinDisplayed(names.mountPoint(file.key()).toString(), file.displayPath());
        String message = shown + " (inode " + file.key().inode() + "): OPEN -> " + state + " by " + audit.action();
        registered.events().sendNotification(new AttributeChangeNotification(registered.name(), ++sequence,
                clock.millis(), message, "State", String.class.getName(), DamageState.OPEN.name(), state.name()));
        announcer.stateChanged(registered.name(), message, DamageState.OPEN.name(), state.name());
        boolean unregistered = unregister(registered.name());
        files.remove(file.key());
        counts.merge(file.key().filesystemUuid(), -1, Integer::sum);
        announcer.recovered(shown + " " + state + " by " + audit.action() + ": " + audit.result()
                + (unregistered ? "; MBean " + registered.name() + " unregistered (history stays in the ledger)" : ""),
                new JmxSurface.RecoveredView(names.mountPoint(file.key()).toString(), file.key().filesystemUuid(),
                        file.key().inode(), file.key().generation(), file.displayPath(), registered.name().toString(),
                        unregistered, state.name(), audit.action(), audit.principal(), audit.result()));
    }

    private boolean unregister(ObjectName name) {
        return JmxSurface.unregister(server, name);
    }

    @Override
    public synchronized void close() {
        closed = true;
        files.values().forEach(registered -> unregister(registered.name()));
        files.clear();
        counts.clear();
    }
}
