package io.daxguard.agent.daemon;

import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.failure.DamageLog;
import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.hooks.Hooks;
import io.daxguard.agent.jmx.JmxSurface;
import io.daxguard.agent.jmx.Pipeline;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.recovery.KernelFilesystemProtection;
import io.daxguard.agent.recovery.LedgerReconciler;
import io.daxguard.agent.recovery.RecoveryPolicyEngine;
import io.daxguard.agent.route.FailureRouter;
import io.daxguard.agent.route.DeviceHistory;
import io.daxguard.agent.route.IndexReadyWatch;
import io.daxguard.agent.route.LiveTopology;
import io.daxguard.agent.route.MountWatcher;
import io.daxguard.agent.route.UnknownOwners;
import io.daxguard.agent.source.FailureSources;
import io.daxguard.agent.source.kmsg.FilesystemMessages;
import io.daxguard.agent.source.operator.OperatorReports;
import io.daxguard.agent.source.scrub.Scrubber;
import io.daxguard.agent.topology.TopologyReader;
import io.daxguard.agent.validation.InputValidator;
import io.daxguard.support.linux.LinuxConstants;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.JMException;

/**
 * One running daxguard: wires the pipeline top to bottom and takes it down in reverse order.
 *
 * <pre>
 * sources (kmsg, badblocks, scrub) -> IngestQueue ---+
 * operator reports (JMX) ----------------------------+-> FailureRouter -> LiveTopology, Router, OwnerLookup
 *                                                                     -> DamageLedger -> DamageEvents -> JmxSurface,
 *                                                                                                      AgentMetrics
 * </pre>
 *
 * <p>Threads it owns (through its parts): the router thread of {@link FailureRouter}, the path walker of
 * {@link OwnerLookup}, the index waiters of {@link IndexReadyWatch}, the notifier thread of {@link JmxSurface}, the hook
 * threads of {@link Hooks} ({@code daxguard-hook-N}, {@code daxguard-hook-io-N}), the
 * ledger's writer thread, the ingest thread and each source's thread of {@link FailureSources}, the scrub threads
 * of {@link Scrubber}, the mount-table watcher of {@link MountWatcher}, the recovery-policy thread of
 * {@link RecoveryPolicyEngine}, and its own {@code daxguard-identity-check}
 * (files with open damage still exist?). {@link #close} stops them, the mount watcher, sources and scrubs first.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    /** How long start waits for the damage history of attached devices (see awaitHistoryReviewed). */
    private static final Duration HISTORY_REVIEW_AT_START = Duration.ofSeconds(30);

    private final DamageLedger ledger;
    private final Filesystems filesystems;
    private final DamageEvents events = new DamageEvents();
    private final OwnerLookup owners;
    private final LiveTopology topology;
    private final FailureRouter router;
    private final UnknownOwners unknownOwners;
    private final IndexReadyWatch indexReady;
    private final DeviceHistory history;
    private final JmxSurface jmx;
    private final RecoveryPolicyEngine recoveryPolicies;
    private final Hooks hooks;
    private final MountWatcher mountWatcher;
    private final ScheduledExecutorService identityCheck = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "daxguard-identity-check");
        thread.setDaemon(true);
        return thread;
    });
    private final FailureSources sources;
    private final Scrubber scrubber;
    private final StateDirectoryLock stateLock;
    private final KernelFilesystemProtection protection;

    private Agent(AgentSettings settings) throws IOException, JMException {
        // What is started is stopped again, newest first, if a later step fails.
        Deque<AutoCloseable> started = new ArrayDeque<>();
        Clock clock = Clock.systemUTC();
        // Before anything opens: a hook program the agent must not run refuses the start, naming its field.
        Hooks.checkPrograms(settings.hooks());
        try {
            // First: a second agent on this state directory is refused before it touches anything in it.
            stateLock = StateDirectoryLock.acquire(settings.stateDirectory());
            started.push(stateLock);
            // Replayed before anything routes: a tuple arriving now is checked against the damage already known.
            ledger = SqliteDamageLedger.open(settings.stateDirectory(), settings.ledger(), clock,
                    settings.metrics().timer("ledger.commit"));
            started.push(ledger);
            PluginHost plugins = PluginHost.load(settings.pluginLoader(), settings.pluginDirectory())
                    .withServices(settings.metrics(), settings.pluginSettings(),
                            Optional.of(settings.stateDirectory()));
            filesystems = new Filesystems(plugins, settings.watchedMountPoints());
            started.push(filesystems);
            owners = new OwnerLookup(filesystems);
            started.push(owners);
            topology = new LiveTopology(new TopologyReader(settings.sysfs(), settings.mountinfo()), filesystems, events);
            router = new FailureRouter(topology, owners, ledger, events);
            started.push(router);
            unknownOwners = new UnknownOwners(owners, ledger, events, router);
            indexReady = new IndexReadyWatch(unknownOwners::lookAgain);
            started.push(indexReady);
            events.add(indexReady);
            // Before the first refresh: filesystems attached at start review their device's damage history too.
            events.add(new DamageLog());
            history = new DeviceHistory(topology, owners, ledger, events, router, clock);
            events.add(history);
            topology.refresh();
            awaitHistoryReviewed(history.settled());
            // Before anything is announced: files gone while the agent was down become FILE_GONE, not MBeans; their
            // bytes, still bad, are resolved again.
            awaitHistoryReviewed(history.ownersGone(LedgerReconciler.checkFiles(ledger, filesystems.all(), clock)));
            OperatorReports reports = new OperatorReports(new InputValidator(), new DeviceResolver(settings.sysfs()), router,
                    clock, settings.requestLimits());
            jmx = new JmxSurface(settings.mbeanServer(), version(), plugins,
                    new Pipeline(topology, filesystems, owners, events, reports), ledger, clock,
                    settings.fileMBeansPerFilesystem(), settings.recovery(), settings.requestLimits());
            started.push(jmx);
            // Before the MBeans are started: every event announced from then on reaches the hooks.
            hooks = new Hooks(settings.hooks(), ledger, settings.metrics(), clock);
            started.push(hooks);
            jmx.listen(hooks);
            sources = new FailureSources(settings.sources(), settings.sysfs(), settings.stateDirectory(),
                    tuple -> awaitRouted(router, tuple),
                    clock, jmx::badRangesCleared, FilesystemMessages.of(() -> filesystems.all().stream()
                            .flatMap(filesystem -> filesystem.holder().stream()).toList()));
            started.push(sources);
            scrubber = new Scrubber(filesystems, topology::current, sources.queue(), settings.stateDirectory(),
                    settings.sources().devices(), settings.sysfs(), settings.sources().scrubRateLimit(), clock,
                    jmx::scrubFinished);
            started.push(scrubber);
            jmx.useScrubber(scrubber);
            protection = new KernelFilesystemProtection(ledger, filesystems::all, topology::current,
                    settings.sources().devices(), settings.recovery().sysfs(), settings.stateDirectory(), clock);
            jmx.useProtection(protection);
            // Before any source starts: new damage is acted on by its filesystem's recovery policy.
            recoveryPolicies = new RecoveryPolicyEngine(ledger, filesystems::all, jmx.fileNames(), settings.recovery(),
                    protection, clock);
            started.push(recoveryPolicies);
            // The file steps a policy refused while daxguard's freeze held run once daxguard thaws the filesystem.
            protection.whenThawed(recoveryPolicies::thawed);
            events.add(recoveryPolicies);
            jmx.useSources(sources);
            jmx.start();
            // Before any source: what a policy left unfinished at the last stop goes first.
            recoveryPolicies.resumeUnfinished(ledger.records());
            // After the MBeans: a filesystem the watcher attaches gets its DamagedFile MBeans like any other.
            mountWatcher = new MountWatcher(topology, settings.mountinfo());
            started.push(mountWatcher);
            mountWatcher.start();
            sources.start();
            scrubber.resumeSaved();
            scrubber.scheduleEvery(settings.sources().scrubEvery());
            long every = settings.recovery().identityCheckInterval().toMillis();
            identityCheck.scheduleWithFixedDelay(this::checkFiles, every, every, TimeUnit.MILLISECONDS);
        } catch (IOException | JMException | RuntimeException e) {
            identityCheck.shutdownNow();
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /**
     * Waits a bounded time for a device-history review (of the filesystems attached at start; of the bytes of files
     * found gone): a review can walk a large tree for names, and the agent must come up (the identity check go on)
     * anyway; late reviews still land, they are only not yet shown.
     */
    private static void awaitHistoryReviewed(java.util.concurrent.Future<?> review) {
        try {
            review.get(HISTORY_REVIEW_AT_START.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "the damage history of the attached devices is still being reviewed"
                    + " after " + HISTORY_REVIEW_AT_START.toSeconds() + " s; going on, it lands when done");
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: reviews complete normally", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The ingest queue's way into the router: it waits for each range, so back-pressure reaches the sources. */
    private static void awaitRouted(FailureRouter router, io.daxguard.agent.failure.FailureTuple tuple)
            throws Exception {
        try {
            router.route(tuple).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Starts an agent; on failure, whatever was started is stopped again.
     *
     * @throws UnsupportedOperationException naming the architecture, on one daxguard has no table of Linux
     *                                       constants for ({@link LinuxConstants}); checked before anything opens,
     *                                       since a plugin's first open would fail inside its holder, where a
     *                                       failure only leaves one filesystem unheld
     */
    public static Agent start(AgentSettings settings) throws IOException, JMException {
        LinuxConstants.running();
        Agent agent = new Agent(settings);
        LOG.log(System.Logger.Level.INFO, "daxguard " + version() + " started; holding "
                + agent.filesystems.all().stream().filter(fs -> fs.holder().isPresent()).count() + " filesystem(s)");
        return agent;
    }

    /** The plain-text status report, as the Agent MBean's {@code status()} gives it. */
    public String status() {
        return jmx.status();
    }

    /** Files with open damage that no longer exist become FILE_GONE; a failure is logged, never fatal. */
    public void checkFiles() {
        try {
            topology.refreshIfRemounted();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not re-read the topology: " + e);
        }
        try {
            // Waited for, bounded: the next check must not find the same gone files' bytes not yet resolved again.
            awaitHistoryReviewed(history.ownersGone(LedgerReconciler.checkFiles(ledger, filesystems.all(),
                    Clock.systemUTC())));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "identity check of damaged files failed: " + e);
        }
    }

    /** Where every event of the pipeline is told; add a listener to hear them. */
    public DamageEvents events() {
        return events;
    }

    /** The hooks ({@code notify.exec}) run for every event announced. */
    public Hooks hooks() {
        return hooks;
    }

    public FailureRouter router() {
        return router;
    }

    public LiveTopology topology() {
        return topology;
    }

    public Filesystems filesystems() {
        return filesystems;
    }

    public OwnerLookup owners() {
        return owners;
    }

    public UnknownOwners unknownOwners() {
        return unknownOwners;
    }

    /** Freeze, thaw, shutdown and free-space clearing of held filesystems (what recovery policies call). */
    public KernelFilesystemProtection protection() {
        return protection;
    }

    public DamageLedger ledger() {
        return ledger;
    }

    /** The ingest queue and the kernel log and badblocks sources. */
    public FailureSources sources() {
        return sources;
    }

    public Scrubber scrubber() {
        return scrubber;
    }

    /** What acts on new damage by itself, per the filesystems' recovery policies. */
    public RecoveryPolicyEngine recoveryPolicies() {
        return recoveryPolicies;
    }

    public static String version() {
        String version = Agent.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    @Override
    public void close() {
        // First: a refresh it makes may queue device-history reviews on the router and register MBeans.
        mountWatcher.close();
        scrubber.close();
        sources.close();
        identityCheck.shutdownNow();
        indexReady.close();
        // The router drains what is queued before the MBeans go, so nothing is registered after they went.
        router.close();
        // After the router (no more records), before the MBeans and the ledger its steps change.
        recoveryPolicies.close();
        owners.close();
        // Running hooks are killed and audited while the ledger is still open.
        hooks.close();
        jmx.close();
        filesystems.close();
        ledger.close();
        try {
            // Last: nothing of this agent writes to the state directory any more.
            stateLock.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the state directory's lock: " + e);
        }
        LOG.log(System.Logger.Level.INFO, "daxguard stopped");
    }
}
