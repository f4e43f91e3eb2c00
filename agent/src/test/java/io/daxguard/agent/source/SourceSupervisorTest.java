package io.daxguard.agent.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.FailureSource;
import io.daxguard.support.linux.NativeCallException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The supervisor on hand-made sources whose thread dies when the test says so. The clock is fixed, so every
 * {@code since} is the epoch and a next attempt is the epoch plus the wait the backoff chose. States are awaited
 * through the supervisor's listener, one change at a time.
 */
class SourceSupervisorTest {
    private static final Instant T0 = Instant.EPOCH;
    private static final Clock FIXED = Clock.fixed(T0, ZoneOffset.UTC);
    /** Waits short enough for a test, long enough to tell one from the next. */
    private static final Backoff MILLISECONDS = new Backoff(Duration.ofMillis(1), Duration.ofHours(1),
            Duration.ofHours(1));

    private final BlockingQueue<SourceStatus> changes = new LinkedBlockingQueue<>();
    private SourceSupervisor supervisor;

    private SourceSupervisor supervise(Backoff backoff, FailureSource... sources) {
        supervisor = new SourceSupervisor(List.of(sources), backoff, FIXED);
        supervisor.addListener(changes::add);
        return supervisor;
    }

    @AfterEach
    void stop() {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    /** The next change of a source's state; the bound only keeps a broken supervisor from hanging the build. */
    private SourceStatus nextChange() throws InterruptedException {
        SourceStatus change = changes.poll(60, TimeUnit.SECONDS);
        assertThat(change).as("a state change").isNotNull();
        return change;
    }

    @Test
    void aSourceWhoseThreadDiesIsStartedAgainGoingRestartingThenRunning() throws Exception {
        HandMadeSource source = new HandMadeSource("dying");
        supervise(MILLISECONDS, source).start();
        assertThat(nextChange().state()).isEqualTo(SourceState.RUNNING);

        source.dieWith(new IllegalStateException("boom"));

        assertThat(nextChange()).isEqualTo(new SourceStatus("dying", SourceState.RESTARTING,
                "thread ended: IllegalStateException: boom", 0, T0, Optional.of(T0.plusMillis(1))));
        assertThat(nextChange()).isEqualTo(new SourceStatus("dying", SourceState.RUNNING, "", 1, T0,
                Optional.empty()));
        assertThat(source.starts.get()).isEqualTo(2);
        assertThat(supervisor.statuses()).extracting(SourceStatus::state).containsExactly(SourceState.RUNNING);
    }

    @Test
    void aSourceThatCannotStartIsFailedWithTheReasonAndTheOthersRun() throws Exception {
        HandMadeSource kmsg = new HandMadeSource("kmsg", new NativeCallException("open", "/dev/kmsg",
                NativeCallException.EACCES));
        HandMadeSource badblocks = new HandMadeSource("badblocks");

        supervise(MILLISECONDS, kmsg, badblocks).start();

        assertThat(supervisor.statuses()).containsExactly(
                new SourceStatus("kmsg", SourceState.FAILED,
                        "could not start: open on /dev/kmsg failed: EACCES (Permission denied)", 0, T0,
                        Optional.empty()),
                new SourceStatus("badblocks", SourceState.RUNNING, "", 0, T0, Optional.empty()));
    }

    @Test
    void aRestartThatFailsIsTriedAgainAfterTwiceTheWait() throws Exception {
        HandMadeSource source = new HandMadeSource("flaky", null, new IOException("the log is gone"));
        supervise(MILLISECONDS, source).start();
        assertThat(nextChange().state()).isEqualTo(SourceState.RUNNING);

        source.dieWith(new IOException("read on /dev/kmsg failed: EIO (Input/output error)"));

        assertThat(nextChange().nextAttempt()).contains(T0.plusMillis(1));
        assertThat(nextChange()).isEqualTo(new SourceStatus("flaky", SourceState.RESTARTING,
                "could not start again: the log is gone", 1, T0, Optional.of(T0.plusMillis(2))));
        assertThat(nextChange()).isEqualTo(new SourceStatus("flaky", SourceState.RUNNING, "", 2, T0,
                Optional.empty()));
    }

    @Test
    void aSourceThatRanHealthyWaitsTheShortestTimeAgain() throws Exception {
        HandMadeSource source = new HandMadeSource("healthy");
        // Every run counts as healthy: the wait never grows.
        supervise(new Backoff(Duration.ofMillis(1), Duration.ofHours(1), Duration.ZERO), source).start();
        assertThat(nextChange().state()).isEqualTo(SourceState.RUNNING);

        source.dieWith(new IllegalStateException("first"));
        assertThat(nextChange().nextAttempt()).contains(T0.plusMillis(1));
        assertThat(nextChange().state()).isEqualTo(SourceState.RUNNING);
        source.dieWith(new IllegalStateException("second"));

        assertThat(nextChange().nextAttempt()).contains(T0.plusMillis(1));
    }

    @Test
    void closingStopsEverySourceAndCancelsAWaitingRestart() throws Exception {
        HandMadeSource waiting = new HandMadeSource("waiting");
        HandMadeSource running = new HandMadeSource("running");
        supervise(new Backoff(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1)), waiting, running).start();
        waiting.dieWith(new IllegalStateException("boom"));
        SourceStatus restarting;
        do {
            restarting = nextChange();
        } while (restarting.state() != SourceState.RESTARTING);

        supervisor.close();

        assertThat(supervisor.statuses()).extracting(SourceStatus::name, SourceStatus::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("waiting", SourceState.STOPPED),
                org.assertj.core.groups.Tuple.tuple("running", SourceState.STOPPED));
        assertThat(waiting.starts.get()).as("the waiting restart never ran").isEqualTo(1);
        assertThat(running.closed).isTrue();
    }

    @Test
    void theWaitDoublesUpToItsMaximum() {
        Backoff standard = Backoff.standard();

        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8).stream().map(standard::delay).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L);
    }

    /**
     * A source whose thread waits until the test makes it die (it then tells its end, as a real source does from
     * its loop's {@code finally}) or the source is closed. Its starts throw the given failures, in order (null: starts).
     */
    private static final class HandMadeSource implements FailureSource {
        private static final Throwable CLOSE = new Throwable("closed");
        private final String name;
        private final Deque<Optional<Exception>> startFailures = new ArrayDeque<>();
        private final BlockingQueue<Throwable> orders = new LinkedBlockingQueue<>();
        final AtomicInteger starts = new AtomicInteger();
        volatile boolean closed;
        private Thread thread;

        HandMadeSource(String name, Exception... startFailures) {
            this.name = name;
            for (Exception failure : startFailures) {
                this.startFailures.add(Optional.ofNullable(failure));
            }
        }

        void dieWith(Throwable cause) {
            orders.add(cause);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public synchronized void start(ThreadEnded ended) throws IOException {
            starts.incrementAndGet();
            Optional<Exception> failure = startFailures.isEmpty() ? Optional.empty() : startFailures.poll();
            if (failure.isPresent()) {
                throw failure.get() instanceof IOException io ? io : new IOException(failure.get());
            }
            thread = new Thread(() -> {
                try {
                    Throwable order = orders.take();
                    if (order != CLOSE) {
                        ended.ended(order);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "hand-made-" + name);
            thread.start();
        }

        @Override
        public synchronized void close() {
            closed = true;
            orders.add(CLOSE);
            if (thread != null) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
