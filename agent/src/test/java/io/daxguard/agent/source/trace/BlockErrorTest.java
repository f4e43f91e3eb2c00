package io.daxguard.agent.source.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import org.junit.jupiter.api.Test;

/** The text of a block_rq_error event as trace_pipe prints it (formats from the kernel's event format file). */
class BlockErrorTest {
    @Test
    void aLinuxSixEventGivesDeviceRangeErrorAndKind() {
        String line = "     kworker/0:1-123     [000] d..1.  1234.567890: block_rq_error: 7,3 R () 442368 + 20 none,0,0 [-5]";

        assertThat(BlockError.parse(line)).contains(new BlockError(new DeviceNumber(7, 3), 442368, 20, -5, "R",
                1234_567_890_000L));
    }

    @Test
    void anEventBeforeLinuxSixOneHasNoPriorityField() {
        String line = "  dd-4321  [001] ..s1  99.000001: block_rq_error: 8,16 RA () 2048 + 256 [-61]";

        assertThat(BlockError.parse(line)).contains(new BlockError(new DeviceNumber(8, 16), 2048, 256, -61, "RA",
                99_000_001_000L));
    }

    @Test
    void aFailedWriteIsNoRead() {
        assertThat(BlockError.parse("x 1.000000: block_rq_error: 7,3 WS () 8 + 8 none,0,0 [-5]")).get()
                .extracting(BlockError::isRead).isEqualTo(false);
    }

    @Test
    void otherLinesAndOutOfRangeNumbersAreNoEvent() {
        assertThat(BlockError.parse("# tracer: nop")).isEmpty();
        assertThat(BlockError.parse("x: block_rq_issue: 7,3 R 4096 () 8 + 8 [dd]")).isEmpty();
        assertThat(BlockError.parse("x 1.000000: block_rq_error: 99999,3 R () 8 + 8 [-5]")).isEmpty();
    }
}
