package io.daxguard.agent.hooks;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.FileKey;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationListener;

/**
 * Runs the configured hooks ({@code notify.exec}) for every event the agent announces: a listener on the Agent
 * MBean's notification stream, so whatever is announced there, now or by a later kind of event, reaches hooks too.
 *
 * <p>Detection never waits for a hook. {@link #handleNotification} (on the JMX notifier thread) only queues one run
 * per hook that wants the event; a full queue drops the event for the hooks (counted {@code hooks.dropped}, logged
 * once per burst). Runs happen on {@code maxConcurrent} threads {@code daxguard-hook-N} owned here, each run a
 * process killed with its descendants at its timeout ({@link HookRun}); so a hung hook holds one of those threads
 * until its timeout, never the pipeline or the other threads. Every run is audited in the ledger as
 * {@code hook:<program>} (action {@code hook <event type>}, on the file the event names, if any) and counted:
 * {@code hooks.runs}, {@code hooks.failures} (anything but exit 0), {@code hooks.timeouts}; gauges
 * {@code hooks.running} and {@code hooks.waiting}.
 *
 * <p>{@link #close} takes no more events, drops the waiting runs and kills the running ones (their runs audited
 * as killed because the agent stopped), waiting a bounded time; the ledger must still be open.
 */
public final class Hooks implements NotificationListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Hooks.class.getName());
    private static final long STOP_WAIT_SECONDS = 10;

    private final HooksSettings settings;
    private final DamageLedger ledger;
    private final Clock clock;
    private final ThreadPoolExecutor runs;
    private final ExecutorService io;
    private final HookCgroups cgroups;
    private final Counter runCount;
    private final Counter failures;
    private final Counter timeouts;
    private final Counter dropped;
    /** Events dropped since the queue last took one: the first of a burst is logged, the end says how many. */
    private final AtomicLong droppedInBurst = new AtomicLong();
    private final List<java.util.function.Consumer<AuditEntry>> audited = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * Checks every hook's program (the agent does not start with one it could not run safely) and makes the threads.
     *
     * @throws IllegalArgumentException naming the hook's field ({@code notify.exec[0].program}) and what is wrong
     */
    public Hooks(HooksSettings settings, DamageLedger ledger, MetricRegistry metrics, Clock clock) {
        checkPrograms(settings);
        this.settings = settings;
        this.ledger = ledger;
        this.clock = clock;
        this.runs = new ThreadPoolExecutor(settings.maxConcurrent(), settings.maxConcurrent(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.queueCapacity()), named("daxguard-hook-"),
                new ThreadPoolExecutor.AbortPolicy());
        this.io = Executors.newCachedThreadPool(named("daxguard-hook-io-"));
        this.cgroups = settings.hooks().isEmpty() ? HookCgroups.none("no hook configured") : HookCgroups.find();
        if (!settings.hooks().isEmpty() && !cgroups.unavailable().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "hook runs get no cgroup of their own (" + cgroups.unavailable()
                    + "): a hook is killed at its timeout with its process tree only; a process it daemonized "
                    + "(setsid, double fork) can outlive it. Run the agent with a writable cgroup v2 (systemd: "
                    + "Delegate=yes; README, Hooks)");
        }
        this.runCount = metrics.counter("hooks.runs");
        this.failures = metrics.counter("hooks.failures");
        this.timeouts = metrics.counter("hooks.timeouts");
        this.dropped = metrics.counter("hooks.dropped");
        metrics.gauge("hooks.running", () -> runs::getActiveCount);
        metrics.gauge("hooks.waiting", () -> () -> runs.getQueue().size());
    }

    /**
     * Refuses settings with a program the agent must not run ({@link ProgramCheck}).
     *
     * @throws IllegalArgumentException {@code notify.exec[i].program: <why>} for the first such hook
     */
    public static void checkPrograms(HooksSettings settings) {
        for (HookSettings hook : settings.hooks()) {
            Optional<String> problem = ProgramCheck.problem(hook.program());
            if (problem.isPresent()) {
                throw new IllegalArgumentException(hook.field() + ".program: refused: " + problem.get());
            }
        }
    }

    /**
     * Tells {@code listener} of every run once its audit entry is in the ledger, on the hook thread that ran it (a
     * listener must be quick): how a view or a test follows the runs without polling the ledger.
     */
    public void onAudited(java.util.function.Consumer<AuditEntry> listener) {
        audited.add(listener);
    }

    /** Queues a run of every hook that wants this event; never blocks. */
    @Override
    public void handleNotification(Notification notification, Object handback) {
        if (closed) {
            return;
        }
        HookEvent event = null;
        for (HookSettings hook : settings.hooks()) {
            if (!hook.wants(notification.getType())) {
                continue;
            }
            if (event == null) {
                event = HookEvent.of(notification);
            }
            queue(hook, event);
        }
    }

    private void queue(HookSettings hook, HookEvent event) {
        try {
            runs.execute(() -> runAndAudit(hook, event));
        } catch (RejectedExecutionException full) {
            if (closed) {
                return;
            }
            dropped.inc();
            if (droppedInBurst.getAndIncrement() == 0) {
                LOG.log(System.Logger.Level.WARNING, "hook queue full (notify.queueCapacity " + settings.queueCapacity()
                        + ", notify.maxConcurrent " + settings.maxConcurrent() + " running): events are dropped for "
                        + "hooks until it drains (first dropped: " + event.type() + " #" + event.sequence() + " for "
                        + hook.program() + "); detection goes on, the ledger and JMX have every event");
            }
            return;
        }
        long burst = droppedInBurst.getAndSet(0);
        if (burst > 0) {
            LOG.log(System.Logger.Level.WARNING, "hook queue takes events again; " + burst + " hook run(s) were dropped");
        }
    }

    private void runAndAudit(HookSettings hook, HookEvent event) {
        HookResult result = HookRun.run(hook, event, io, cgroups);
        runCount.inc();
        if (!result.succeeded()) {
            failures.inc();
        }
        if (result.outcome() == HookResult.Outcome.KILLED_AFTER_TIMEOUT) {
            timeouts.inc();
        }
        String line = result.line(hook.timeout());
        String auditedLine = result.stderr().length() > HookRun.AUDITED_BYTES
                ? new HookResult(result.outcome(), result.exitStatus(), result.duration(), result.detail(),
                        result.stdout(), result.stderr().substring(0, HookRun.AUDITED_BYTES) + "...").line(hook.timeout())
                : line;
        String about = hook.program() + " for " + event.type() + " #" + event.sequence() + ": ";
        if (result.succeeded()) {
            LOG.log(System.Logger.Level.DEBUG, () -> "hook " + about + line
                    + (result.stdout().isEmpty() ? "" : "; stdout: " + result.stdout()));
        } else {
            LOG.log(System.Logger.Level.WARNING, "hook " + about + line
                    + (result.stdout().isEmpty() ? "" : "; stdout: " + result.stdout()));
        }
        boolean interrupted = Thread.interrupted(); // the agent stops: the run was killed, and that is audited first
        AuditEntry entry = new AuditEntry(clock.instant(), hook.principal(), "hook " + event.type(), fileOf(event),
                text(event, "path"), auditedLine);
        try {
            ledger.audit(entry);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not audit hook " + about + e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        for (java.util.function.Consumer<AuditEntry> listener : audited) {
            try {
                listener.accept(entry);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a hook-run listener failed: " + e, e);
            }
        }
    }

    /** The file the event names (a damaged or recovered file), so the run is in that file's history; else none. */
    private static FileKey fileOf(HookEvent event) {
        String uuid = text(event, "uuid").isEmpty() ? text(event, "filesystemUuid") : text(event, "uuid");
        if (uuid.isEmpty() || !(event.fields().get("inode") instanceof Long inode) || inode <= 0
                || !(event.fields().get("generation") instanceof Long generation)) {
            return FileKey.NONE;
        }
        long subvolume = event.fields().get("subvolume") instanceof Long number && number > 0 ? number : 0;
        return FileKey.inSubvolume(uuid, text(event, "filesystem"), subvolume, inode, generation);
    }

    private static String text(HookEvent event, String field) {
        return event.fields().get(field) instanceof String text ? text : "";
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        closed = true;
        List<Runnable> waiting = runs.shutdownNow();
        if (!waiting.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, waiting.size() + " waiting hook run(s) not started: the agent stops");
        }
        try {
            if (!runs.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "hook threads still running after " + STOP_WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        io.shutdownNow();
    }
}
