package io.daxguard.agent.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.UnknownOwner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The look again at unknown owners, on a hand-made holder whose index is "built" when the test says so. */
class UnknownOwnersTest {
    @TempDir
    Path directory;
    private HandMadePipeline pipeline;
    private UnknownOwners unknownOwners;

    @BeforeEach
    void pipeline() throws Exception {
        pipeline = new HandMadePipeline(directory);
        unknownOwners = new UnknownOwners(pipeline.owners, pipeline.ledger, pipeline.events, pipeline.router);
        pipeline.holder.answer(range -> List.of(new UnknownOwner(range.offset(), range.length(),
                "reverse-map index being built")));
    }

    @AfterEach
    void close() {
        pipeline.close();
    }

    @Test
    void anUnknownOwnerWhoseBytesHaveAFileNowIsSupersededByARecordNamingIt() throws Exception {
        pipeline.router.route(pipeline.failure(8192, 4096)).get(30, TimeUnit.SECONDS);
        FileOwner file = pipeline.fileAt("found", 8192, 4096);
        pipeline.holder.answer(range -> List.of(file));
        List<DamageRecord> announced = Collections.synchronizedList(new ArrayList<>());
        pipeline.events.add(new DamageListener() {
            @Override
            public void recorded(DamageRecord record) {
                announced.add(record);
            }
        });

        int superseded = unknownOwners.lookAgain(pipeline.filesystems.on(pipeline.disk.number()).orElseThrow());

        assertThat(superseded).isEqualTo(1);
        List<DamageRecord> records = pipeline.ledger.records();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).owners()).singleElement().extracting(AffectedOwner::state)
                .isEqualTo(DamageState.SUPERSEDED);
        assertThat(records.get(1).owners()).singleElement().satisfies(owner -> {
            assertThat(owner.owner()).isEqualTo(file);
            assertThat(owner.paths()).containsExactly("/found");
        });
        assertThat(announced).containsExactly(records.get(1));
    }

    @Test
    void anUnknownOwnerStillUnknownIsLeftAsItIs() throws Exception {
        pipeline.router.route(pipeline.failure(8192, 4096)).get(30, TimeUnit.SECONDS);

        int superseded = unknownOwners.lookAgain(pipeline.filesystems.on(pipeline.disk.number()).orElseThrow());

        assertThat(superseded).isZero();
        assertThat(pipeline.ledger.records()).singleElement().satisfies(record -> assertThat(record.owners())
                .singleElement().extracting(AffectedOwner::state).isEqualTo(DamageState.OPEN));
    }
}
