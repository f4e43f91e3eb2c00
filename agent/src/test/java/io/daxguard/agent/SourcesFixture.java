package io.daxguard.agent;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.Agent;

import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.failure.DamageListener;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * An agent on its own MBean server with chosen source settings and its own state directory, which survives
 * {@link #restart} and is deleted by {@link #close}. Records every damage record the agent makes.
 */
final class SourcesFixture implements AutoCloseable {
    private final SourceSettings sources;
    private final Path stateDirectory;
    private final List<DamageRecord> records = Collections.synchronizedList(new ArrayList<>());
    private final List<Waiter> waiters = new ArrayList<>();
    private MBeanServer server;
    private Agent agent;

    SourcesFixture(SourceSettings sources) throws Exception {
        this(sources, Files.createTempDirectory("daxguard-state-"));
    }

    /** On a state directory another agent used (it is deleted by {@link #close} all the same). */
    SourcesFixture(SourceSettings sources, Path stateDirectory) throws Exception {
        this.sources = sources;
        this.stateDirectory = stateDirectory;
        start();
    }

    private void start() throws Exception {
        server = MBeanServerFactory.newMBeanServer();
        agent = Agent.start(AgentSettings.defaults().withMbeanServer(server).withWatchedMountPoints(AgentFixture.SCRATCH).withStateDirectory(stateDirectory)
                .withSources(sources));
        agent.events().add(new DamageListener() {
            @Override
            public void recorded(DamageRecord record) {
                records.add(record);
                synchronized (waiters) {
                    waiters.removeIf(waiter -> {
                        if (waiter.wanted.test(record)) {
                            waiter.future.complete(record);
                            return true;
                        }
                        return false;
                    });
                }
            }
        });
    }

    /** Stops the agent and starts a new one on the same state directory. */
    void restart() throws Exception {
        agent.close();
        start();
    }

    Agent agent() {
        return agent;
    }

    MBeanServer server() {
        return server;
    }

    Path stateDirectory() {
        return stateDirectory;
    }

    List<DamageRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /**
     * A future completed with the first record (from now on, or already made) that matches. Already made includes
     * what the ledger has: a source may record while the agent starts, before this fixture listens.
     */
    CompletableFuture<DamageRecord> recordMatching(Predicate<DamageRecord> wanted) {
        CompletableFuture<DamageRecord> future = new CompletableFuture<>();
        synchronized (waiters) {
            waiters.add(new Waiter(wanted, future));
        }
        java.util.stream.Stream.concat(records().stream(), agent.ledger().records().stream()).filter(wanted)
                .findFirst().ifPresent(found -> {
                    synchronized (waiters) {
                        waiters.removeIf(waiter -> waiter.future == future);
                    }
                    future.complete(found);
                });
        return future;
    }

    /** Every file owner of the records, as "path@fileOffset+length". */
    static List<String> fileHits(List<DamageRecord> records, String mountPoint) {
        List<String> hits = new ArrayList<>();
        for (DamageRecord record : records) {
            for (AffectedOwner affected : record.owners()) {
                if (affected.owner() instanceof FileOwner file && affected.filesystem().mountPoint().equals(mountPoint)) {
                    hits.add(affected.paths().get(0) + "@" + file.fileOffset() + "+" + file.length());
                }
            }
        }
        return hits;
    }

    /**
     * Waits until the holder of {@code mountPoint} can name file owners: the ext4 holder builds its index after
     * attach ({@link io.daxguard.spi.Holder#awaitReverseMap}); XFS with rmapbt is ready at attach.
     */
    void awaitHolderReady(Path mountPoint) throws Exception {
        var holder = agent.filesystems().atMountPoint(mountPoint.toString()).orElseThrow().holder()
                .orElseThrow();
        if (!holder.awaitReverseMap(java.time.Duration.ofMinutes(2))) {
            throw new AssertionError("the index of " + mountPoint + " was not built in 2 minutes");
        }
    }

    /** Skips (or fails under CI) unless a plugin for {@code type} is on the class path. */
    static void requirePlugin(String type) {
        boolean present = ServiceLoader.load(FilesystemPlugin.class).stream()
                .anyMatch(provider -> provider.get().type().equals(type));
        String reason = "the " + type + " plugin (module plugin-" + type + ") is not on the agent's test class path";
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(reason + "; CI=true, so the test fails instead of skipping");
        }
        Assumptions.assumeTrue(present, reason);
    }

    @Override
    public void close() throws IOException {
        try {
            agent.close();
        } finally {
            try (Stream<Path> paths = Files.walk(stateDirectory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private record Waiter(Predicate<DamageRecord> wanted, CompletableFuture<DamageRecord> future) {
    }

    static <T> T await(CompletableFuture<T> future, long seconds) throws Exception {
        return future.get(seconds, TimeUnit.SECONDS);
    }
}
