package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.daxguard.spi.LinuxPath;
import org.junit.jupiter.api.Test;

class HeapBudgetTest {
    private static final LinuxPath ROOT = LinuxPath.ofText("/srv/data");
    private static final long MIB = 1 << 20;

    @Test
    void aBuildOfTwoMillionFilesIsRefusedByTheDefaultHeapNamingTheSettingAndAValueThatFits() {
        assertThatThrownBy(() -> HeapBudget.checkFullBuild(ROOT, 2_000_000, 256 * MIB))
                .isInstanceOf(HeapBudget.HeapTooSmallException.class)
                .hasMessageContaining("/srv/data")
                .hasMessageContaining("~2000000 files")
                .hasMessageContaining("the agent has 256 MiB")
                .hasMessageContaining("DAXGUARD_HEAP=704m");
    }

    @Test
    void aBuildOfTwoHundredThousandFilesFitsTheDefaultHeap() {
        assertThatCode(() -> HeapBudget.checkFullBuild(ROOT, 200_000, 256 * MIB)).doesNotThrowAnyException();
    }

    @Test
    void theSuggestedHeapIsEnoughForTheBuildItWasSuggestedFor() {
        Throwable refused = catchThrowable(() -> HeapBudget.checkFullBuild(ROOT, 3_333_333, 256 * MIB));
        assertThat(refused).isInstanceOf(HeapBudget.HeapTooSmallException.class);
        long suggested = Long.parseLong(refused.getMessage().replaceAll(".*DAXGUARD_HEAP=(\\d+)m.*", "$1"));
        long usableOfSuggested = suggested * MIB - suggested * MIB / 30; // what Runtime.maxMemory() reports of -Xmx
        assertThatCode(() -> HeapBudget.checkFullBuild(ROOT, 3_333_333, usableOfSuggested))
                .doesNotThrowAnyException();
    }

    @Test
    void aJvmWithoutAHeapLimitIsNeverRefused() {
        assertThatCode(() -> HeapBudget.checkFullBuild(ROOT, 1_000_000_000L, Long.MAX_VALUE))
                .doesNotThrowAnyException();
    }
}
