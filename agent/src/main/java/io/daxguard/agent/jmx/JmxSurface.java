package io.daxguard.agent.jmx;

import io.daxguard.agent.ranges.ByteRange;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.recovery.RecoverySettings;
import javax.management.AttributeChangeNotification;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.source.FailureSources;
import io.daxguard.agent.source.scrub.ScrubProgress;
import io.daxguard.agent.source.scrub.Scrubber;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * Everything daxguard shows over JMX: registers the Agent, Device, Filesystem and DamagedFile MBeans, keeps
 * them in step with the topology and the ledger, and sends notifications.
 *
 * <p>Threads: {@link DamageListener} calls arrive on the router thread; notifications are delivered by a
 * single thread owned here so a slow listener never holds up routing. MBean attribute reads happen on JMX
 * threads and read the ledger, which is thread safe. {@link #close} unregisters everything.
 */
public final class JmxSurface implements DamageListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JmxSurface.class.getName());

    public static final String FAILURE_RECEIVED = "io.daxguard.failure.received";
    public static final String FILE_DAMAGED = "io.daxguard.file.damaged";
    public static final String METADATA_DAMAGED = "io.daxguard.metadata.damaged";
    public static final String FAILURE_UNOWNED = "io.daxguard.failure.unowned";
    public static final String FILE_RECOVERED = "io.daxguard.file.recovered";
    public static final String LEDGER_HEALTH = "io.daxguard.ledger.health";
    public static final String SCRUB_FINISHED = "io.daxguard.scrub.finished";
    public static final String POISON_CLEARED = "io.daxguard.poison.cleared";

    private final MBeanServer server;
    private final Pipeline pipeline;
    private final DamageLedger ledger;
    private final int fileMBeansPerFilesystem;
    private final RecoverySettings recovery;
    private final Clock clock;
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "daxguard-jmx-notifier");
        thread.setDaemon(true);
        return thread;
    });
    private final NotificationBroadcasterSupport broadcaster;
    private final AtomicLong sequence = new AtomicLong();
    private final AgentBean agent;
    private final Map<String, ObjectName> devices = new HashMap<>();
    private final Map<String, AttachedFilesystem> filesystems = new HashMap<>();
    private final Map<FileKey, ObjectName> files = new LinkedHashMap<>();
    /** Each DamagedFile MBean's own notifications (State changes). */
    private final Map<FileKey, NotificationBroadcasterSupport> fileEvents = new HashMap<>();
    private final AtomicLong fileSequence = new AtomicLong();
    private final Map<String, Integer> filesPerFilesystem = new HashMap<>();
    private boolean closed;
    private Scrubber scrubber;

    public JmxSurface(MBeanServer server, String version, PluginHost plugins, Pipeline pipeline, DamageLedger ledger,
                      Clock clock, int fileMBeansPerFilesystem, RecoverySettings recovery) {
        this.server = server;
        this.recovery = recovery;
        this.clock = clock;
        this.pipeline = pipeline;
        this.ledger = ledger;
        this.fileMBeansPerFilesystem = fileMBeansPerFilesystem;
        this.broadcaster = new NotificationBroadcasterSupport(notifier, new MBeanNotificationInfo(
                new String[] {FAILURE_RECEIVED, FILE_DAMAGED, METADATA_DAMAGED, FAILURE_UNOWNED, FILE_RECOVERED,
                    LEDGER_HEALTH, SCRUB_FINISHED, POISON_CLEARED},
                Notification.class.getName(), "A failure arrived, or damage was recorded; the user data is "
                + "CompositeData describing it. Notifications are hints: read the attributes for the state."),
                stateChanges("The State of a DamagedFile MBean changed (its source); every file's, in one stream"));
        this.agent = new AgentBean(version, plugins, pipeline, ledger, clock);
    }

    /** Gives Filesystem MBeans their scrub controls; call before {@link #start}. */
    public synchronized void useScrubber(Scrubber scrubber) {
        this.scrubber = scrubber;
    }

    /** Shows the failure sources' states (Agent MBean {@code Sources}, {@code status()}); call before {@link #start}. */
    public void useSources(FailureSources sources) {
        agent.useSources(sources::statuses);
    }

    /** A scrub finished, was cancelled or failed: {@code io.daxguard.scrub.finished} with its final progress. */
    public void scrubFinished(ScrubProgress progress) {
        send(SCRUB_FINISHED, "scrub of " + progress.mountPoint() + " " + progress.state().toLowerCase() + ": "
                + progress.badRanges() + " bad run(s), " + progress.badBytes() + " bad bytes",
                OpenRecords.toComposite(progress));
    }

    /** Poison disappeared from a device's badblocks list: {@code io.daxguard.poison.cleared}. */
    public void badRangesCleared(DeviceRef device, List<ByteRange> ranges) {
        for (ByteRange range : ranges) {
            send(POISON_CLEARED, "poison cleared on " + device.name() + " bytes " + range, OpenRecords.toComposite(
                    new ClearedView(device.name(), range.offset(), range.length())));
        }
    }

    /**
     * Registers the Agent MBean, the current devices and filesystems, and a DamagedFile MBean for every file
     * with open damage in the ledger (replayed at start); then follows the pipeline's events and the ledger's health.
     */
    public synchronized void start() throws JMException {
        server.registerMBean(new DescribedMBean<>(agent, AgentMXBean.class, broadcaster), ObjectNames.agent());
        topologyChanged(pipeline.topology().current());
        for (DamageRecord record : ledger.records()) {
            for (AffectedOwner owner : record.owners()) {
                if (owner.open() && owner.file().isPresent()) {
                    registerFile(owner);
                }
            }
        }
        pipeline.events().add(this);
        ledger.onHealthChange(health -> send(LEDGER_HEALTH, health.message(),
                OpenRecords.toComposite(new LedgerHealthView(health.durable(), health.message(), health.pendingWrites()))));
        if (!ledger.health().durable() || !ledger.health().message().equals("ok")) {
            send(LEDGER_HEALTH, ledger.health().message(), OpenRecords.toComposite(new LedgerHealthView(
                    ledger.health().durable(), ledger.health().message(), ledger.health().pendingWrites())));
        }
    }

    /** Where a filesystem is mounted now: by UUID among the attached ones, else where it was at detection. */
    private LinuxPath mountPointOf(FileKey key) {
        for (AttachedFilesystem filesystem : pipeline.filesystems().all()) {
            if (filesystem.reference().uuid().equals(key.filesystemUuid())) {
                return filesystem.mount().mountPoint();
            }
        }
        return LinuxPath.fromDisplay(key.mountPoint());
    }

    /** A repair ran: attribute change for State, and file.recovered when the file has no open damage left. */
    private void acted(FileKey key, String action, DamageState before, DamageState after, String result,
                       String principal) {
        ObjectName source;
        synchronized (this) {
            source = files.getOrDefault(key, ObjectNames.agent());
        }
        if (before != after) {
            String message = key.mountPoint() + " inode " + key.inode() + ": " + before + " -> " + after + " by "
                    + action;
            broadcaster.sendNotification(new AttributeChangeNotification(source, sequence.incrementAndGet(),
                    clock.millis(), message, "State", String.class.getName(), before.name(), after.name()));
            NotificationBroadcasterSupport own;
            synchronized (this) {
                own = fileEvents.get(key);
            }
            if (own != null) {
                // Also on the file's own MBean, for a listener registered there (its own sequence numbers).
                own.sendNotification(new AttributeChangeNotification(source, fileSequence.incrementAndGet(),
                        clock.millis(), message, "State", String.class.getName(), before.name(), after.name()));
            }
        }
        if (before == DamageState.OPEN && after != DamageState.OPEN) {
            send(FILE_RECOVERED, key.mountPoint() + " inode " + key.inode() + " " + after + " by " + action + ": "
                    + result, OpenRecords.toComposite(new RecoveredView(key.mountPoint(), key.filesystemUuid(),
                    key.inode(), key.generation(), after.name(), action, principal, result)));
        }
    }

    @Override
    public void received(FailureTuple tuple) {
        agent.failuresReceived.incrementAndGet();
        send(FAILURE_RECEIVED, "failure on " + tuple.device().name() + " bytes " + tuple.offset() + "+"
                + tuple.length() + " from " + tuple.source(), OpenRecords.toComposite(new FailureView(
                tuple.device().name(), tuple.offset(),
                tuple.length(), tuple.errno(), tuple.source(), tuple.observedAt().toString())));
    }

    @Override
    public synchronized void recorded(DamageRecord record) {
        if (closed) {
            return; // a record committed while the agent stops: it is in the ledger, announced at the next start
        }
        if (record.unowned()) {
            send(FAILURE_UNOWNED, "damage on " + record.deviceName() + " that no filesystem holds",
                    OpenRecords.toComposite(DeviceBean.view(record)));
            return;
        }
        for (AffectedOwner owner : record.owners()) {
            OwnerView view = OwnerView.of(owner);
            if (owner.file().isPresent()) {
                registerFile(owner);
                send(FILE_DAMAGED, owner.filesystem().mountPoint() + ": " + view.line(), OpenRecords.toComposite(view));
            } else if (owner.owner() instanceof MetadataOwner) {
                send(METADATA_DAMAGED, owner.filesystem().mountPoint() + ": " + view.line(), OpenRecords.toComposite(view));
            }
        }
    }

    private void registerFile(AffectedOwner owner) {
        FileKey key = owner.fileKey().orElseThrow();
        if (files.containsKey(key)) {
            return;
        }
        int count = filesPerFilesystem.getOrDefault(key.mountPoint(), 0);
        if (count >= fileMBeansPerFilesystem) {
            if (count == fileMBeansPerFilesystem) {
                LOG.log(System.Logger.Level.WARNING, key.mountPoint() + " has more than " + fileMBeansPerFilesystem
                        + " damaged files; the rest are listed by listDamagedFiles only");
                filesPerFilesystem.put(key.mountPoint(), count + 1);
            }
            return;
        }
        String path = owner.paths().isEmpty() ? "(no name) inode " + key.inode() : owner.paths().get(0);
        ObjectName name = ObjectNames.damagedFile(key.mountPoint(), path);
        if (server.isRegistered(name)) {
            // Another file took this name (a replaced file at the same path): tell them apart by inode.
            name = ObjectNames.damagedFile(key.mountPoint(), path + " (inode " + key.inode() + ")");
        }
        DamagedFileBean bean = new DamagedFileBean(key, ledger, () -> mountPointOf(key), recovery, this::acted, clock);
        NotificationBroadcasterSupport events = new NotificationBroadcasterSupport(notifier,
                stateChanges("This file's State changed (OPEN, REWRITTEN, RESTORED, ...)"));
        if (register(new DescribedMBean<>(bean, DamagedFileMXBean.class, events), name)) {
            files.put(key, name);
            fileEvents.put(key, events);
            filesPerFilesystem.put(key.mountPoint(), count + 1);
        }
    }

    private static MBeanNotificationInfo stateChanges(String description) {
        return new MBeanNotificationInfo(new String[] {AttributeChangeNotification.ATTRIBUTE_CHANGE},
                AttributeChangeNotification.class.getName(), description);
    }

    /** The report {@code Agent.status()} gives. */
    public String status() {
        return agent.status();
    }

    /** The MBean a damaged file is registered under; empty over the cap. */
    synchronized java.util.Optional<ObjectName> mbeanOf(DamagedFile file) {
        return java.util.Optional.ofNullable(files.get(file.key()));
    }

    @Override
    public synchronized void topologyChanged(Topology topology) {
        if (closed) {
            return;
        }
        Set<String> seenDevices = new HashSet<>();
        for (BlockDevice device : topology.devices()) {
            seenDevices.add(device.name());
            if (!devices.containsKey(device.name())) {
                ObjectName name = ObjectNames.device(device.name());
                if (register(new DescribedMBean<>(new DeviceBean(device, pipeline.topology(), ledger, clock), DeviceMXBean.class), name)) {
                    devices.put(device.name(), name);
                }
            }
        }
        devices.entrySet().removeIf(entry -> !seenDevices.contains(entry.getKey()) && unregister(entry.getValue()));
        Set<String> seenFilesystems = new HashSet<>();
        for (AttachedFilesystem filesystem : pipeline.filesystems().all()) {
            String mountPoint = filesystem.mount().mountPoint().toString();
            seenFilesystems.add(mountPoint);
            if (filesystems.get(mountPoint) == filesystem) {
                continue;
            }
            ObjectName name = ObjectNames.filesystem(mountPoint);
            if (filesystems.containsKey(mountPoint)) {
                unregister(name);
                filesystems.remove(mountPoint);
            }
            if (register(new DescribedMBean<>(new FilesystemBean(filesystem, pipeline.owners(), ledger, this::mbeanOf, scrubber),
                    FilesystemMXBean.class), name)) {
                filesystems.put(mountPoint, filesystem);
            }
        }
        filesystems.keySet().removeIf(mountPoint -> !seenFilesystems.contains(mountPoint)
                && unregister(ObjectNames.filesystem(mountPoint)));
    }

    private boolean register(Object mbean, ObjectName name) {
        try {
            server.registerMBean(mbean, name);
            return true;
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "could not register " + name + ": " + e.getMessage());
            return false;
        }
    }

    private boolean unregister(ObjectName name) {
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException gone) {
            // Already gone: the goal is reached.
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "could not unregister " + name + ": " + e.getMessage());
            return false;
        }
        return true;
    }

    private void send(String type, String message, Object userData) {
        Notification notification = new Notification(type, ObjectNames.agent(), sequence.incrementAndGet(),
                System.currentTimeMillis(), message);
        notification.setUserData(userData);
        broadcaster.sendNotification(notification);
    }

    @Override
    public synchronized void close() {
        closed = true;
        files.values().forEach(this::unregister);
        devices.values().forEach(this::unregister);
        filesystems.keySet().forEach(mountPoint -> unregister(ObjectNames.filesystem(mountPoint)));
        unregister(ObjectNames.agent());
        files.clear();
        fileEvents.clear();
        devices.clear();
        filesystems.clear();
        notifier.shutdown();
    }

    /** A repaired (or otherwise closed) file as notification user data. */
    record RecoveredView(String filesystem, String filesystemUuid, long inode, long generation, String state,
                         String action, String principal, String result) {
    }

    /** The ledger's health as notification user data. */
    record LedgerHealthView(boolean durable, String message, int pendingWrites) {
    }

    /** Cleared poison as notification user data. */
    record ClearedView(String device, long offset, long length) {
    }

    /** A received failure as notification user data. */
    record FailureView(String device, long offset, long length, int errno, String source, String observedAt) {
    }
}
