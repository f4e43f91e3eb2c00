package io.daxguard.agent.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.InMemoryDamageLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.Notification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook queue never makes the announcer wait: past {@code queueCapacity} waiting runs an event is dropped for
 * hooks and counted; and stopping kills a running hook, whose run is audited as killed because the agent stopped.
 */
class HooksQueueTest {
    private static final String TYPE = "io.daxguard.failure.received";

    @TempDir
    Path directory; // 0700, root's

    private final MetricRegistry metrics = new MetricRegistry();
    private final InMemoryDamageLedger ledger = new InMemoryDamageLedger();

    /** A hook that says it started, then waits for a file that never comes. */
    private Hooks heldHooks(int maxConcurrent, int queueCapacity) throws Exception {
        Path program = directory.resolve("held.sh");
        Files.writeString(program, "#!/bin/sh\ntouch '" + directory + "/started.'$DAXGUARD_SEQUENCE\n"
                + "while [ ! -e '" + directory + "/release' ]; do sleep 0.05; done\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new Hooks(new HooksSettings(List.of(new HookSettings("notify.exec[0]", program, Set.of(TYPE),
                Duration.ofSeconds(300))), maxConcurrent, queueCapacity), ledger, metrics, Clock.systemUTC());
    }

    private static Notification event(long sequence) {
        return new Notification(TYPE, "io.daxguard:type=Agent", sequence, "failure " + sequence);
    }

    @Test
    void pastTheQueuesCapacityAnEventIsDroppedForHooksAndCounted() throws Exception {
        try (Hooks hooks = heldHooks(1, 1)) {
            hooks.handleNotification(event(1), null); // taken by the one hook thread
            hooks.handleNotification(event(2), null); // waits in the queue
            hooks.handleNotification(event(3), null); // no room

            assertThat(metrics.counter("hooks.dropped").getCount()).isEqualTo(1);
        }
    }

    @Test
    void stoppingKillsARunningHookAndAuditsItAsKilled() throws Exception {
        BlockingQueue<AuditEntry> audited = new LinkedBlockingQueue<>();
        Hooks hooks = heldHooks(1, 4);
        hooks.onAudited(audited::add);
        hooks.handleNotification(event(1), null);
        HookDirectoryWait.awaitFile(directory.resolve("started.1"), Duration.ofSeconds(60));

        hooks.close();

        AuditEntry run = audited.poll(60, TimeUnit.SECONDS); // against hanging only: close waited for it
        assertThat(run).isNotNull();
        assertThat(run.result()).matches("failed: killed after \\d+ ms: the agent stopped");
        assertThat(ledger.history(FileKey.NONE)).containsExactly(run);
    }
}
