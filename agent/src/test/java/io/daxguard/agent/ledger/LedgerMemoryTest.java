package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The covering-range lookup every tuple makes. */
class LedgerMemoryTest {
    private final LedgerMemory memory = new LedgerMemory(1);

    @Test
    void aRangeInsideAnOpenRecordIsCovered() {
        DamageRecord record = memory.add(LedgerSamples.sharedBlock(1 << 20));

        assertThat(memory.findOpenCovering(LedgerSamples.DEVICE, (1 << 20) + 512, 512)).contains(record);
    }

    @Test
    void aRangeReachingPastTheRecordIsNotCovered() {
        memory.add(LedgerSamples.sharedBlock(1 << 20));

        assertThat(memory.findOpenCovering(LedgerSamples.DEVICE, (1 << 20) + 3584, 1024)).isEmpty();
    }

    @Test
    void aLongRecordStartingFarBeforeStillCovers() {
        memory.add(new Damage(LedgerSamples.DEVICE, "loop3", 0, 1 << 20, 5, "scrub", LedgerSamples.AT, List.of()));
        for (int i = 1; i <= 100; i++) {
            memory.add(LedgerSamples.unowned((1 << 20) + i * 4096L));
        }

        assertThat(memory.findOpenCovering(LedgerSamples.DEVICE, 4096, 512)).map(DamageRecord::id).contains(1L);
    }

    @Test
    void aClosedRecordCoversNothing() {
        DamageRecord record = memory.add(LedgerSamples.unowned(4096));
        memory.apply(List.of(new StateChange(record.id(), -1, DamageState.ACKNOWLEDGED, null)));

        assertThat(memory.findOpenCovering(LedgerSamples.DEVICE, 4096, 512)).isEmpty();
    }
}
