package io.daxguard.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.ledger.InMemoryDamageLedger;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import io.daxguard.agent.paths.FilePaths;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.source.FailureSources;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.source.scrub.ScrubProgress;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.ReverseMapStatus;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Adversarial review (issue 17): {@code daxguard_index_ready} is "1 when the filesystem's reverse-map index answers
 * (ready, or refreshing over a ready one)". An index whose first build FAILED answers every data owner as unknown
 * (ReverseMapStatus.State.FAILED), and a CLOSED holder answers nothing: neither is ready.
 */
class PrometheusMetricsAdversarialTest {
    @TempDir
    Path state;

    /** A held filesystem whose index is in {@code index}. */
    private record IndexedHolder(ReverseMapStatus.State index) implements Holder {
        @Override
        public Mount mount() {
            return new Mount(7, new DeviceNumber(7, 3), "/", LinuxPath.ofText("/srv"), "ext4", "/dev/loop3", "rw");
        }

        @Override
        public FilesystemInfo info() {
            return new FilesystemInfo("uuid", 4096, 1 << 20, "index:test");
        }

        @Override
        public List<Owner> notifyFailure(FailureRange range) {
            return List.of();
        }

        @Override
        public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) {
        }

        @Override
        public Optional<ReverseMapStatus> reverseMapStatus() {
            return Optional.of(new ReverseMapStatus(index, 0, 0, 0, "first build failed: EIO"));
        }

        @Override
        public boolean awaitReverseMap(Duration timeout) {
            return false;
        }

        @Override
        public void close() {
        }
    }

    private double indexReady(ReverseMapStatus.State index) {
        return valueOf("daxguard_index_ready", index, new InMemoryDamageLedger());
    }

    private double valueOf(String series, ReverseMapStatus.State index, InMemoryDamageLedger ledger) {
        IndexedHolder holder = new IndexedHolder(index);
        AttachedFilesystem held = new AttachedFilesystem(holder.mount(), Optional.of(holder), Optional.empty(),
                new FilePaths(holder.mount().mountPoint()));
        SourceSettings noSources = new SourceSettings(state.resolve("dev"), state.resolve("kmsg"), false, false, false,
                Duration.ofHours(1), 1 << 20, Duration.ofDays(7), 16, 16, false, state.resolve("tracing"));
        FailureSources sources = new FailureSources(noSources, state.resolve("sys"), state, tuple -> { },
                Clock.systemUTC(), (device, ranges) -> { });
        PrometheusMetrics metrics = new PrometheusMetrics(new PrometheusMetrics.Sources(ledger,
                sources, () -> List.of(held), mountPoint -> new ScrubProgress(mountPoint, "IDLE", 0, 0, 0, 0, 0, -1, 0,
                0, List.of(), "", ""), () -> 0, new MetricRegistry()));
        for (MetricSnapshot snapshot : metrics.collect()) {
            if (snapshot.getMetadata().getName().equals(series)) {
                return ((GaugeSnapshot) snapshot).getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError("no " + series + " series");
    }

    @ParameterizedTest
    @EnumSource(value = ReverseMapStatus.State.class, names = {"BUILDING", "FAILED", "CLOSED"})
    void anIndexThatDoesNotAnswerIsNotReady(ReverseMapStatus.State index) {
        assertThat(indexReady(index)).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = ReverseMapStatus.State.class, names = {"READY", "REBUILDING"})
    void anIndexThatAnswersIsReady(ReverseMapStatus.State index) {
        assertThat(indexReady(index)).isOne();
    }

    /**
     * {@code daxguard status} says "1 damaged file" for one file with damage in two places; the series (and the
     * shipped alert's summary, "{{ $value }} file owner(s)") says 2: it counts records, not the files they hit.
     */
    @Test
    void oneFileDamagedInTwoPlacesIsOneDamagedFile() throws Exception {
        InMemoryDamageLedger ledger = new InMemoryDamageLedger();
        DeviceNumber loop3 = new DeviceNumber(7, 3);
        FilesystemRef srv = new FilesystemRef("uuid", loop3, "/srv", "ext4");
        for (long offset : new long[] {1 << 20, 2 << 20}) {
            ledger.recordAsync(new Damage(loop3, "loop3", offset, 4096, 5, "kmsg", Instant.now(), List.of(
                    new AffectedOwner(srv, new FileOwner(131, 1, Fork.DATA, offset, offset, 4096, false, false),
                            List.of("/a.bin"))))).get();
        }

        assertThat(valueOf("daxguard_damage_open", ReverseMapStatus.State.READY, ledger)).isOne();
    }
}
