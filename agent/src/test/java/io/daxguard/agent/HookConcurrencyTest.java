package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.hooks.HookSettings;
import io.daxguard.agent.hooks.HooksSettings;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.Notification;
import javax.management.NotificationListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code notify.maxConcurrent} holds: five events for a hook that waits to be released, with at most two runs at
 * once, run two at a time; the other three wait in the queue, and run when the first ones end.
 */
@Tag("mount")
class HookConcurrencyTest {
    private static final Duration BOUND = Duration.ofSeconds(60); // against hanging only
    private static final String RECEIVED = "io.daxguard.failure.received";
    private static final int MAX_CONCURRENT = 2;
    private static final int EVENTS = 5;
    private static final MetricRegistry METRICS = new MetricRegistry();

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final HookDirectory HOOKS = new HookDirectory();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(HookConcurrencyTest::writeHook, settings -> settings
            .withMetrics(METRICS)
            .withHooks(new HooksSettings(List.of(new HookSettings("notify.exec[0]", HOOKS.file("held.sh"),
                    Set.of(RECEIVED), Duration.ofSeconds(120))), MAX_CONCURRENT, 64)));

    /** Notes when it started and ended (ns), and in between waits until the test releases it. */
    private static void writeHook() throws Exception {
        HOOKS.script("held.sh", """
                date +%s%N > "$DIR/.start-$$"; mv "$DIR/.start-$$" "$DIR/start-$DAXGUARD_SEQUENCE"
                while [ ! -e "$DIR/release" ]; do sleep 0.05; done
                date +%s%N > "$DIR/end-$DAXGUARD_SEQUENCE\"""");
    }

    @BeforeAll
    static void followRuns() {
        AGENT.agent().hooks().onAudited(HOOKS::audited);
    }

    private static long gauge(String name) {
        return ((Number) ((Gauge<?>) METRICS.getGauges().get(name)).getValue()).longValue();
    }

    private static long stamp(Path file) throws Exception {
        return Long.parseLong(Files.readString(file).trim());
    }

    @Test
    void atMostMaxConcurrentRunsAtOnceAndTheRestWaitTheirTurn() throws Exception {
        // Listeners on the Agent MBean are told in the order they were added, on one thread: once this one has the
        // last event, the hooks (added at start) have queued a run for every one.
        BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        NotificationListener listener = (notification, handback) -> {
            if (notification.getType().equals(RECEIVED)) {
                received.add(notification);
            }
        };
        AGENT.remote().addNotificationListener(ObjectNames.agent(), listener, null, null);
        try {
            for (int i = 0; i < EVENTS; i++) {
                AgentCalls.reportFailure(AGENT.remote(), XFS.device().getFileName().toString(), 40_000L + 8 * i, 1L, 5);
            }
            for (int i = 0; i < EVENTS; i++) {
                assertThat(received.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).as("failure.received " + i).isNotNull();
            }
        } finally {
            AGENT.remote().removeNotificationListener(ObjectNames.agent(), listener);
        }
        HOOKS.awaitFiles("start-", MAX_CONCURRENT, BOUND);

        assertThat(HOOKS.awaitFiles("start-", 0, BOUND)).as("runs started while none may end").hasSize(MAX_CONCURRENT);
        assertThat(gauge("hooks.running")).isEqualTo(MAX_CONCURRENT);
        assertThat(gauge("hooks.waiting")).isEqualTo(EVENTS - MAX_CONCURRENT);

        Files.createFile(HOOKS.file("release"));
        for (int i = 0; i < EVENTS; i++) {
            int runs = i + 1;
            HOOKS.awaitRun(run -> HOOKS.runs(r -> r.action().equals("hook " + RECEIVED)).size() >= runs, BOUND);
        }
        assertThat(mostAtOnce()).as("most runs between their own start and end at one time").isEqualTo(MAX_CONCURRENT);
    }

    /** From the stamps each run wrote: how many were between start and end at once, at most. */
    private static int mostAtOnce() throws Exception {
        List<long[]> moments = new ArrayList<>(); // {time, +1 start / -1 end}
        for (Path start : HOOKS.awaitFiles("start-", EVENTS, BOUND)) {
            String sequence = start.getFileName().toString().substring("start-".length());
            moments.add(new long[] {stamp(start), 1});
            moments.add(new long[] {stamp(HOOKS.file("end-" + sequence)), -1});
        }
        moments.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int most = 0;
        for (long[] moment : moments) {
            now += (int) moment[1];
            most = Math.max(most, now);
        }
        return most;
    }
}
