package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageRangeTest {
    private static DamagedFile.Hit hit(long fileOffset, long length) {
        DamageRecord record = new DamageRecord(1, new DeviceNumber(7, 0), "loop0", 0, length, 5, "test",
                Instant.EPOCH, Instant.EPOCH, 1, List.of(), DamageState.OPEN, 0, "");
        return new DamagedFile.Hit(record, 0, new FileOwner(5, 1, Fork.DATA, fileOffset, 1 << 20, length, false, false),
                DamageState.OPEN);
    }

    private static final DirectIoAlignment SECTORS_512 = new DirectIoAlignment(512, 512);
    private static final DirectIoAlignment SECTORS_4K = new DirectIoAlignment(4096, 512);
    private static final DirectIoAlignment SECTORS_16K = new DirectIoAlignment(16384, 512);

    @Test
    void aSectorIsRoundedOutToItsWholePage() {
        assertThat(PageRange.of(hit(8192 + 1024, 512), SECTORS_512)).isEqualTo(new PageRange(8192, 12288));
    }

    @Test
    void aRangeAcrossAPageBoundaryCoversBothPages() {
        assertThat(PageRange.of(hit(4096 - 512, 1024), SECTORS_512)).isEqualTo(new PageRange(0, 8192));
    }

    @Test
    void aSectorIsRoundedOutToItsWholeLogicalBlockWhenThatIsLargerThanAPage() {
        assertThat(PageRange.of(hit(20480 + 512, 512), SECTORS_16K)).isEqualTo(new PageRange(16384, 32768));
    }

    @Test
    void aWriteNeverGrowsTheFile() {
        assertThat(new PageRange(8192, 12288).clippedForWrite(10_000)).isEqualTo(new PageRange(8192, 10_000));
    }

    @Test
    void aDirectReadEndsOnASectorBoundaryPastTheEndOfFile() {
        assertThat(new PageRange(8192, 12288).clippedForDirectRead(10_000, SECTORS_512))
                .isEqualTo(new PageRange(8192, 10_240));
    }

    @Test
    void aDirectReadOnA4KnDiskEndsOnALogicalBlockBoundaryPastTheEndOfFile() {
        assertThat(new PageRange(8192, 12288).clippedForDirectRead(10_000, SECTORS_4K))
                .isEqualTo(new PageRange(8192, 12288));
    }
}
