package io.daxguard.agent.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.ProcessingResult;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.MetadataOwner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router on a hand-made holder: ordering, known damage, owners that changed, listeners that fail. */
class FailureRouterTest {
    @TempDir
    Path directory;
    private HandMadePipeline pipeline;

    @BeforeEach
    void pipeline() throws Exception {
        pipeline = new HandMadePipeline(directory);
    }

    @AfterEach
    void close() {
        pipeline.close();
    }

    private ProcessingResult route(FailureTuple tuple) throws Exception {
        return pipeline.router.route(tuple).get(30, TimeUnit.SECONDS);
    }

    @Test
    void recordsAreMadeAndAnnouncedInTheOrderTuplesWereRouted() throws Exception {
        List<Long> announced = Collections.synchronizedList(new ArrayList<>());
        pipeline.events.add(new DamageListener() {
            @Override
            public void recorded(DamageRecord record) {
                announced.add(record.offset());
            }
        });
        List<CompletableFuture<ProcessingResult>> routed = new ArrayList<>();
        for (long offset : new long[] {40960, 4096, 81920, 0}) {
            routed.add(pipeline.router.route(pipeline.failure(offset, 512)));
        }
        for (CompletableFuture<ProcessingResult> result : routed) {
            result.get(30, TimeUnit.SECONDS);
        }

        assertThat(announced).containsExactly(40960L, 4096L, 81920L, 0L);
        assertThat(pipeline.ledger.records()).extracting(DamageRecord::offset).containsExactly(40960L, 4096L, 81920L, 0L);
    }

    @Test
    void aFailureAnOpenRecordCoversIsSeenAgainNotRecordedAgain() throws Exception {
        FileOwner file = pipeline.fileAt("a", 8192, 4096);
        pipeline.holder.answer(range -> List.of(file));
        route(pipeline.failure(8192, 4096));

        ProcessingResult again = route(pipeline.failure(8192 + 512, 512));

        assertThat(again.recorded()).isEmpty();
        assertThat(again.alreadyKnown()).singleElement().extracting(DamageRecord::count).isEqualTo(2L);
        assertThat(pipeline.ledger.records()).hasSize(1);
    }

    @Test
    void aFailureOnBlocksAnotherFileOwnsNowIsRecordedAgain() throws Exception {
        FileOwner deleted = pipeline.fileAt("deleted", 8192, 4096);
        pipeline.holder.answer(range -> List.of(deleted));
        route(pipeline.failure(8192, 4096));
        FileOwner reused = pipeline.fileAt("reused", 8192, 4096);
        pipeline.holder.answer(range -> List.of(reused));

        ProcessingResult again = route(pipeline.failure(8192, 4096));

        assertThat(again.recorded()).singleElement().satisfies(record -> assertThat(record.owners())
                .singleElement().satisfies(owner -> assertThat(owner.paths()).containsExactly("/reused")));
    }

    @Test
    void ownersComeWithThePathsOfTheirFiles() throws Exception {
        FileOwner file = pipeline.fileAt("named", 16384, 512);
        pipeline.holder.answer(range -> List.of(file, new MetadataOwner("test.btree", "a btree block", "repair it",
                16384, 512)));

        ProcessingResult result = route(pipeline.failure(16384, 512));

        assertThat(result.recorded()).singleElement().satisfies(record -> {
            assertThat(record.owners()).hasSize(2);
            assertThat(record.owners().get(0).paths()).containsExactly("/named");
        });
    }

    @Test
    void aListenerThatThrowsKeepsNeitherTheOthersNorTheTupleFromGoingOn() throws Exception {
        List<DamageRecord> heard = Collections.synchronizedList(new ArrayList<>());
        pipeline.events.add(new DamageListener() {
            @Override
            public void received(FailureTuple tuple) {
                throw new IllegalStateException("a broken listener");
            }

            @Override
            public void recorded(DamageRecord record) {
                throw new IllegalStateException("a broken listener");
            }
        });
        pipeline.events.add(new DamageListener() {
            @Override
            public void recorded(DamageRecord record) {
                heard.add(record);
            }
        });

        ProcessingResult result = route(pipeline.failure(0, 512));

        assertThat(result.recorded()).hasSize(1);
        assertThat(heard).containsExactlyElementsOf(result.recorded());
    }

    @Test
    void aFailurePastTheEndOfTheDeviceIsRefusedNamingTheRange() {
        assertThatThrownBy(() -> route(pipeline.failure(HandMadePipeline.DISK_BYTES - 512, 1024)))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("go past the end of hand0");
        assertThat(pipeline.ledger.records()).isEmpty();
    }

    @Test
    void aDeviceNoLongerThereIsRefusedNamingIt() {
        FailureTuple elsewhere = new FailureTuple(new DeviceRef(new DeviceNumber(4095, 4095), "gone9"), 0, 512,
                FailureTuple.EIO, Set.of(), "test", Instant.now());

        assertThatThrownBy(() -> route(elsewhere)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("no block device \"gone9\"");
    }
}
