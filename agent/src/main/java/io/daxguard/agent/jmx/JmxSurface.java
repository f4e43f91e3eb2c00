package io.daxguard.agent.jmx;

import io.daxguard.agent.ranges.ByteRange;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.recovery.FileNames;
import io.daxguard.agent.recovery.KernelFilesystemProtection;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.agent.validation.RequestLimits;
import javax.management.AttributeChangeNotification;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.source.FailureSources;
import io.daxguard.agent.source.scrub.ScrubProgress;
import io.daxguard.agent.source.scrub.Scrubber;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.MetadataOwner;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
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
    public static final String ACTION_AUDITED = "io.daxguard.action.audited";
    /** Damage to one copy of data the filesystem keeps elsewhere too: data intact on another copy, no data lost. */
    public static final String DAMAGE_REDUNDANT = "io.daxguard.damage.redundant";
    /** The Agent MBean's own notification types (declared in its MBeanNotificationInfo). */
    private static final List<String> AGENT_TYPES = List.of(FAILURE_RECEIVED, FILE_DAMAGED, METADATA_DAMAGED,
            FAILURE_UNOWNED, FILE_RECOVERED, LEDGER_HEALTH, SCRUB_FINISHED, POISON_CLEARED, ACTION_AUDITED,
            DAMAGE_REDUNDANT);
    /**
     * Every notification type the Agent MBean sends, the State changes of DamagedFiles among them: what a hook may
     * listen for ({@code notify.exec[].events}). A new type is added to {@link #AGENT_TYPES} and so reaches hooks.
     */
    public static final List<String> NOTIFICATION_TYPES = java.util.stream.Stream.concat(AGENT_TYPES.stream(),
            java.util.stream.Stream.of(AttributeChangeNotification.ATTRIBUTE_CHANGE)).toList();

    private final MBeanServer server;
    private final Pipeline pipeline;
    private final DamageLedger ledger;
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
    private final FileNames names;
    private final FileMBeans files;
    private boolean closed;
    private Scrubber scrubber;
    /** Freeze, thaw, shutdown and free-space clearing for the Filesystem MBeans' operations; set before start. */
    private volatile KernelFilesystemProtection protection;
    /** What one resolve may ask of a Filesystem MBean. */
    private final RequestLimits limits;
    private final RecoverySettings recovery;

    public JmxSurface(MBeanServer server, String version, PluginHost plugins, Pipeline pipeline, DamageLedger ledger,
                      Clock clock, int fileMBeansPerFilesystem, RecoverySettings recovery, RequestLimits limits) {
        this.limits = limits;
        this.recovery = recovery;
        this.server = server;
        this.clock = clock;
        this.pipeline = pipeline;
        this.ledger = ledger;
        this.broadcaster = new NotificationBroadcasterSupport(notifier, new MBeanNotificationInfo(
                AGENT_TYPES.toArray(String[]::new),
                Notification.class.getName(), "A failure arrived, or damage was recorded; the user data is "
                + "CompositeData describing it. Notifications are hints: read the attributes for the state."),
                stateChanges("The State of a DamagedFile MBean changed (its source); every file's, in one stream"));
        this.names = new FileNames(ledger, pipeline.filesystems()::all, clock);
        this.files = new FileMBeans(server, ledger, names, recovery, clock, fileMBeansPerFilesystem, new FileMBeans.Announcer() {
            @Override
            public void stateChanged(ObjectName source, String message, String before, String after) {
                broadcaster.sendNotification(new AttributeChangeNotification(source, sequence.incrementAndGet(),
                        clock.millis(), message, "State", String.class.getName(), before, after));
            }

            @Override
            public void recovered(String message, RecoveredView view) {
                send(FILE_RECOVERED, message, OpenRecords.toComposite(view));
            }
        });
        this.agent = new AgentBean(version, plugins, pipeline, ledger, clock, names, limits,
                filesystem -> FilesystemBean.policyOf(filesystem, recovery).describe(), this::frozenLine);
    }

    /** The status line of a filesystem daxguard froze: since when, by whom, how to thaw it. */
    private java.util.Optional<String> frozenLine(AttachedFilesystem filesystem) {
        KernelFilesystemProtection now = protection;
        if (now == null) {
            return java.util.Optional.empty();
        }
        String mountPoint = filesystem.mount().mountPoint().display();
        return now.frozen(filesystem.reference()).map(frozen -> "by daxguard since " + frozen.at() + " (by "
                + frozen.principal() + "): every write to it waits; thaw it with daxguard thaw " + mountPoint);
    }

    /** The filesystem protection the Filesystem MBeans' freeze, thaw, shutdown and clearFreeSpaceDamage use. */
    public synchronized void useProtection(KernelFilesystemProtection protection) {
        this.protection = protection;
    }

    /** The damaged files' names now, as every view follows them (one look-up at a time). */
    public FileNames fileNames() {
        return names;
    }

    /** Gives Filesystem MBeans their scrub controls; call before {@link #start}. */
    public synchronized void useScrubber(Scrubber scrubber) {
        this.scrubber = scrubber;
    }

    /**
     * Tells {@code listener} every notification the Agent MBean sends (every type of {@link #NOTIFICATION_TYPES}),
     * in process, on the notifier thread: the one stream hooks follow, so whatever is announced reaches them. The
     * listener must not block (it holds every JMX listener's delivery).
     */
    public void listen(javax.management.NotificationListener listener) {
        broadcaster.addNotificationListener(listener, null, null);
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
        files.registerOpen();
        ledger.onChange(files::changed);
        ledger.onAudit(this::audited);
        pipeline.events().add(this);
        ledger.onHealthChange(health -> send(LEDGER_HEALTH, health.message(),
                OpenRecords.toComposite(new LedgerHealthView(health.durable(), health.message(), health.pendingWrites()))));
        if (!ledger.health().durable() || !ledger.health().message().equals("ok")) {
            send(LEDGER_HEALTH, ledger.health().message(), OpenRecords.toComposite(new LedgerHealthView(
                    ledger.health().durable(), ledger.health().message(), ledger.health().pendingWrites())));
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
        files.recorded(record);
        if (record.state() == io.daxguard.agent.ledger.DamageState.REDUNDANT) {
            // Not file.damaged: nothing is lost, and what acts on lost data (hooks, policies) must not act on this.
            send(DAMAGE_REDUNDANT, record.owners().get(0).filesystem().mountPoint() + ": " + record.deviceName()
                    + " bytes " + record.offset() + "+" + record.length() + " damaged, data intact on another copy;"
                    + " repair it with daxguard repair " + record.owners().get(0).filesystem().mountPoint(),
                    OpenRecords.toComposite(DeviceBean.view(record)));
            return;
        }
        for (AffectedOwner owner : record.owners()) {
            OwnerView view = OwnerView.of(owner);
            DamageWhere where = new DamageWhere(record.deviceName(), record.offset(), record.length(), record.errno(),
                    record.source(), record.id(), owner.filesystem().mountPoint(), owner.filesystem().uuid(),
                    owner.filesystem().type(), owner.paths().isEmpty() ? "" : owner.paths().get(0));
            if (owner.file().isPresent()) {
                send(FILE_DAMAGED, owner.filesystem().mountPoint() + ": " + view.line(),
                        OpenRecords.toComposite(where, view));
            } else if (owner.owner() instanceof MetadataOwner) {
                send(METADATA_DAMAGED, owner.filesystem().mountPoint() + ": " + view.line(),
                        OpenRecords.toComposite(where, view));
            }
        }
    }

    /**
     * Every action on damage the ledger audits, whoever took it (an operator's repair or refusal, the agent's own
     * changes, an automatic policy): {@code io.daxguard.action.audited}. A hook's own run (principal
     * {@code hook:...}) is not announced, so a hook never runs because a hook ran.
     */
    private void audited(io.daxguard.agent.ledger.AuditEntry entry) {
        if (entry.principal().startsWith("hook:")) {
            return;
        }
        send(ACTION_AUDITED, entry.line(), OpenRecords.toComposite(new AuditView(entry.at().toString(),
                entry.principal(), entry.action(), entry.file().filesystemUuid(), entry.file().mountPoint(),
                entry.file().inode(), entry.file().generation(), entry.path(), entry.result(),
                entry.file().subvolume())));
    }

    static MBeanNotificationInfo stateChanges(String description) {
        return new MBeanNotificationInfo(new String[] {AttributeChangeNotification.ATTRIBUTE_CHANGE},
                AttributeChangeNotification.class.getName(), description);
    }

    /** The report {@code Agent.status()} gives. */
    public String status() {
        return agent.status();
    }

    /** The MBean a damaged file is registered under; empty over the cap. */
    java.util.Optional<ObjectName> mbeanOf(DamagedFile file) {
        return files.nameOf(file.key());
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
            if (register(new DescribedMBean<>(new FilesystemBean(filesystem, pipeline.owners(), limits, ledger,
                            this::mbeanOf, scrubber, names, protection, recovery, clock), FilesystemMXBean.class),
                    name)) {
                filesystems.put(mountPoint, filesystem);
            }
        }
        filesystems.keySet().removeIf(mountPoint -> !seenFilesystems.contains(mountPoint)
                && unregister(ObjectNames.filesystem(mountPoint)));
        files.remounted();
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
        return unregister(server, name);
    }

    /** Unregisters {@code name}; true when it is gone (also when it already was), a failure logged. */
    static boolean unregister(MBeanServer server, ObjectName name) {
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
        files.close();
        devices.values().forEach(this::unregister);
        filesystems.keySet().forEach(mountPoint -> unregister(ObjectNames.filesystem(mountPoint)));
        unregister(ObjectNames.agent());
        devices.clear();
        filesystems.clear();
        notifier.shutdown();
    }

    /**
     * A file whose damage was closed (repaired, acknowledged, gone, superseded, its filesystem gone) as notification
     * user data: where and what it is, the MBean it had and whether that was unregistered, and how it was closed.
     */
    record RecoveredView(String filesystem, String filesystemUuid, long inode, long generation, String path,
                         String mbean, boolean mbeanUnregistered, String state, String action, String principal,
                         String result) {
    }

    /** The ledger's health as notification user data. */
    record LedgerHealthView(boolean durable, String message, int pendingWrites) {
    }

    /**
     * Where damaged file data or metadata is, added to its {@link OwnerView} in {@code file.damaged} and
     * {@code metadata.damaged}: the record's device range, errno and source, the filesystem (mount point, UUID,
     * type) and the first path (display form), so a hook or a listener needs no second look.
     */
    record DamageWhere(String device, long deviceOffset, long deviceLength, int errno, String source, long recordId,
                       String filesystem, String uuid, String filesystemType, String path) {
    }

    /**
     * An audit entry as notification user data; the file's items are empty and 0 for an action on no file;
     * {@code subvolume} is the file's inode-number space (btrfs), 0 on a filesystem with one.
     */
    record AuditView(String at, String principal, String action, String uuid, String filesystem, long inode,
                     long generation, String path, String result, long subvolume) {
    }

    /** Cleared poison as notification user data. */
    record ClearedView(String device, long offset, long length) {
    }

    /** A received failure as notification user data. */
    record FailureView(String device, long offset, long length, int errno, String source, String observedAt) {
    }
}
