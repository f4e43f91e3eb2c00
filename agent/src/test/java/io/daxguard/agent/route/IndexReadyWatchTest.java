package io.daxguard.agent.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.paths.FilePaths;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.ReverseMapStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When the watch looks again. The holder here is a stand-in for the SPI (no kernel interface behind it): its
 * index build is a latch the test releases, so "during the build" and "after it" are exact.
 */
class IndexReadyWatchTest {
    /** A holder whose first index build ends when {@link #finish} is called. */
    private static final class BuildingHolder implements Holder {
        private final CountDownLatch built = new CountDownLatch(1);
        private volatile ReverseMapStatus.State state;

        BuildingHolder(ReverseMapStatus.State state) {
            this.state = state;
        }

        void finish(ReverseMapStatus.State after) {
            state = after;
            built.countDown();
        }

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
            return state == null ? Optional.empty()
                    : Optional.of(new ReverseMapStatus(state, state == ReverseMapStatus.State.READY ? 100 : 40, 0, 0, ""));
        }

        @Override
        public boolean awaitReverseMap(Duration timeout) throws InterruptedException {
            return built.await(timeout.toNanos(), TimeUnit.NANOSECONDS) && state == ReverseMapStatus.State.READY;
        }

        @Override
        public void close() {
        }
    }

    private static AttachedFilesystem held(Holder holder) {
        return new AttachedFilesystem(holder.mount(), Optional.of(holder), Optional.empty(),
                new FilePaths(holder.mount().mountPoint()));
    }

    /**
     * Watches {@code holder}, lets {@code meanwhile} run, then lets the wait end by itself; returns the build's
     * state at each look the watch made (a look made too early shows BUILDING).
     */
    private static List<ReverseMapStatus.State> looks(BuildingHolder holder, Runnable meanwhile) throws Exception {
        List<ReverseMapStatus.State> looks = new CopyOnWriteArrayList<>();
        IndexReadyWatch watch = new IndexReadyWatch(filesystem -> {
            looks.add(holder.state);
            return 0;
        });
        watch.watch(held(holder));
        meanwhile.run();
        assertThat(watch.finishWaiting(Duration.ofSeconds(30))).as("the wait ended").isTrue();
        return looks;
    }

    @Test
    void looksAgainOnceTheFirstBuildIsDoneAndNotBefore() throws Exception {
        BuildingHolder holder = new BuildingHolder(ReverseMapStatus.State.BUILDING);

        assertThat(looks(holder, () -> holder.finish(ReverseMapStatus.State.READY)))
                .containsExactly(ReverseMapStatus.State.READY);
    }

    @Test
    void doesNotLookWhenTheBuildFailed() throws Exception {
        BuildingHolder holder = new BuildingHolder(ReverseMapStatus.State.BUILDING);

        assertThat(looks(holder, () -> holder.finish(ReverseMapStatus.State.FAILED))).isEmpty();
    }

    @Test
    void looksAgainAtOnceWhenTheIndexIsAlreadyReady() throws Exception {
        BuildingHolder holder = new BuildingHolder(ReverseMapStatus.State.READY);
        holder.finish(ReverseMapStatus.State.READY);

        assertThat(looks(holder, () -> { })).containsExactly(ReverseMapStatus.State.READY);
    }

    @Test
    void ignoresAHolderThatBuildsNoIndex() throws Exception {
        assertThat(looks(new BuildingHolder(null), () -> { })).isEmpty();
    }
}
