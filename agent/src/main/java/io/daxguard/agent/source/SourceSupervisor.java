package io.daxguard.agent.source;

import io.daxguard.agent.failure.FailureSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the failure sources running, so that one unexpected end of a source's thread does not end what the agent
 * hears for good. Each source is started once by {@link #start}; when its thread ends by itself (it tells the
 * {@link FailureSource.ThreadEnded} it was started with), it is RESTARTING and started again after a
 * {@link Backoff} (1 s doubling to 60 s by default; a source that ran for a minute starts the count again). A
 * source whose first start fails (no permission to read {@code /dev/kmsg}) is FAILED with the reason and not tried
 * again: that does not mend by itself, and the agent runs without it. A restart that fails is tried again, later.
 * {@link #statuses} gives every source's {@link SourceStatus}; listeners hear each change.
 *
 * <p>Threads: the first start of each source runs on the caller of {@link #start} (the agent's starting thread:
 * the kernel log is open and the badblocks start-up scan done before the agent says it started). Restarts run on
 * {@code daxguard-source-supervisor}, the one thread of a scheduler owned here (created at the first restart).
 * {@link #close} stops it: no restart is scheduled any more, a waiting one is cancelled and a running one
 * interrupted ({@code shutdownNow}), the thread is awaited (30 s bound), then every source is closed (which joins
 * its thread) and STOPPED. A source's end is told on the source's own thread; the supervisor's state is guarded by
 * its monitor. Listeners are called under it, so they hear the changes in the order they were made; they must be
 * quick and must not wait for another thread that uses the supervisor.
 */
public final class SourceSupervisor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SourceSupervisor.class.getName());
    private static final Duration STOP_BOUND = Duration.ofSeconds(30);

    /** Told of every change of a source's state, in order, on the thread that made it; must return quickly. */
    @FunctionalInterface
    public interface StateListener {
        void changed(SourceStatus status);
    }

    private final List<Supervised> sources;
    private final Backoff backoff;
    private final Clock clock;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "daxguard-source-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
    /** Guarded by this: once set, nothing is started or scheduled again. */
    private boolean closed;

    public SourceSupervisor(List<? extends FailureSource> sources, Backoff backoff, Clock clock) {
        this.backoff = Objects.requireNonNull(backoff, "backoff is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        Instant now = clock.instant();
        this.sources = sources.stream().map(source -> new Supervised(source, now)).toList();
    }

    /** Hears every later change of state. */
    public void addListener(StateListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener is null"));
    }

    /**
     * Starts every source on the caller's thread; one that cannot start is FAILED (logged) and the others go on.
     * Interrupted, it starts no further source (they stay STOPPED) and keeps the interrupt.
     */
    public void start() {
        for (Supervised source : sources) {
            if (!startOnce(source, false)) {
                return;
            }
        }
    }

    /** Every source's state, in the order the sources were given. */
    public synchronized List<SourceStatus> statuses() {
        return sources.stream().map(Supervised::status).toList();
    }

    /** Starts one source; false when interrupted or closed (no further source should be started). */
    private boolean startOnce(Supervised supervised, boolean again) {
        long attempt;
        synchronized (this) {
            if (closed) {
                return false;
            }
            attempt = ++supervised.attempt;
            supervised.startedNanos = System.nanoTime();
            if (again) {
                supervised.restarts++;
            }
        }
        FailureSource source = supervised.source;
        try {
            source.start(cause -> threadEnded(supervised, attempt, cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            enter(supervised, attempt, SourceState.STOPPED, "interrupted while starting", Optional.empty());
            return false;
        } catch (Exception | Error e) {
            // Whatever a start throws, the source is the only one to suffer: FAILED, or tried again later.
            if (again) {
                LOG.log(System.Logger.Level.WARNING, "the " + source.name() + " source could not start again: "
                        + describe(e));
                scheduleRestart(supervised, attempt, "could not start again: " + describe(e));
            } else {
                LOG.log(System.Logger.Level.WARNING, "not reading the " + source.name() + " source: " + describe(e));
                enter(supervised, attempt, SourceState.FAILED, "could not start: " + describe(e), Optional.empty());
            }
            return true;
        }
        Optional<SourceStatus> running;
        synchronized (this) {
            // Its thread may have ended already (then it is RESTARTING) or the agent may be stopping.
            running = supervised.endedAttempt == attempt ? Optional.empty()
                    : enter(supervised, attempt, SourceState.RUNNING, "", Optional.empty());
        }
        if (again && running.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "the " + source.name() + " source runs again (restart "
                    + running.get().restarts() + ")");
        }
        return true;
    }

    /** On the source's thread: its thread ended by itself. */
    private void threadEnded(Supervised supervised, long attempt, Throwable cause) {
        Optional<SourceStatus> restarting;
        synchronized (this) {
            if (supervised.attempt != attempt || supervised.endedAttempt == attempt) {
                return; // an older start's thread, or told twice: the first one counts
            }
            supervised.endedAttempt = attempt;
            if (System.nanoTime() - supervised.startedNanos >= backoff.healthyAfter().toNanos()) {
                supervised.failures = 0; // it ran long enough to be healthy: back to the shortest wait
            }
            restarting = scheduleRestart(supervised, attempt, "thread ended: " + describe(cause));
        }
        restarting.ifPresent(status -> LOG.log(System.Logger.Level.ERROR, "the " + status.name()
                + " source's thread ended; starting it again at " + status.nextAttempt().orElseThrow(), cause));
    }

    /** RESTARTING after a wait that grows with each failure since the source was healthy. */
    private synchronized Optional<SourceStatus> scheduleRestart(Supervised supervised, long attempt, String reason) {
        if (closed || supervised.attempt != attempt) {
            return Optional.empty();
        }
        supervised.failures++;
        Duration delay = backoff.delay(supervised.failures);
        Optional<SourceStatus> status = enter(supervised, attempt, SourceState.RESTARTING, reason,
                Optional.of(clock.instant().plus(delay)));
        restarts.schedule(() -> startOnce(supervised, true), delay.toNanos(), TimeUnit.NANOSECONDS);
        return status;
    }

    /** Moves a source to a state and tells the listeners, unless the agent stops or a newer attempt has begun. */
    private synchronized Optional<SourceStatus> enter(Supervised supervised, long attempt, SourceState state,
                                                      String reason, Optional<Instant> nextAttempt) {
        if (closed || supervised.attempt != attempt) {
            return Optional.empty();
        }
        supervised.moveTo(state, reason, nextAttempt, clock.instant());
        SourceStatus status = supervised.status();
        publish(status);
        return Optional.of(status);
    }

    /** Under the monitor, so that listeners hear changes in the order they were made. */
    private synchronized void publish(SourceStatus status) {
        for (StateListener listener : listeners) {
            try {
                listener.changed(status);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a source state listener failed: " + e);
            }
        }
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName()
                : cause instanceof IOException ? message : cause.getClass().getSimpleName() + ": " + message;
    }

    /** Stops restarting, then stops every source; each ends STOPPED. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        restarts.shutdownNow();
        try {
            if (!restarts.awaitTermination(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a source restart did not end within " + STOP_BOUND
                        + "; closing the sources anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Supervised supervised : sources) {
            supervised.source.close();
            synchronized (this) {
                supervised.moveTo(SourceState.STOPPED, "the agent stopped", Optional.empty(), clock.instant());
                publish(supervised.status());
            }
        }
    }

    /** One source and what the supervisor knows of it; every field guarded by the supervisor's monitor. */
    private static final class Supervised {
        final FailureSource source;
        SourceState state = SourceState.STOPPED;
        String reason = "not started yet";
        Instant since;
        Optional<Instant> nextAttempt = Optional.empty();
        int restarts;
        /** Incremented at every start: an end told by an older start is not this one's. */
        long attempt;
        /** The last start whose thread ended. */
        long endedAttempt;
        /** When the current start began (System.nanoTime), to tell a healthy run from a flapping one. */
        long startedNanos;
        /** Ends and failed starts since the source was last healthy: the backoff's exponent. */
        int failures;

        Supervised(FailureSource source, Instant now) {
            this.source = Objects.requireNonNull(source, "source is null");
            this.since = now;
        }

        void moveTo(SourceState next, String why, Optional<Instant> retryAt, Instant now) {
            if (next != state) {
                since = now;
            }
            state = next;
            reason = why;
            nextAttempt = retryAt;
        }

        SourceStatus status() {
            return new SourceStatus(source.name(), state, reason, restarts, since, nextAttempt);
        }
    }
}
