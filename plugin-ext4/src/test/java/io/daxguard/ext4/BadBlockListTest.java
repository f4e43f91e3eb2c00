package io.daxguard.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BadBlockListTest {
    @Test
    void listsEveryBlockADamagedRangeTouches() {
        BadBlockList list = BadBlockList.of(4096, List.of(new BadBlockList.Range(4095, 2)), 100);

        assertThat(list.blocks()).containsExactly(0, 1);
    }

    @Test
    void listsABlockOnceWhenRangesOverlap() {
        BadBlockList list = BadBlockList.of(1024, List.of(new BadBlockList.Range(2048, 512),
                new BadBlockList.Range(2560, 512), new BadBlockList.Range(0, 1)), 100);

        assertThat(list.blocks()).containsExactly(0, 2);
    }

    @Test
    void writesOneDecimalBlockNumberPerLineAsE2fsckReadsIt() {
        BadBlockList list = BadBlockList.of(4096, List.of(new BadBlockList.Range(40960, 8192)), 100);

        assertThat(list.text()).isEqualTo("10\n11\n");
    }

    @Test
    void refusesAListLongerThanTheLimit() {
        assertThatThrownBy(() -> BadBlockList.of(4096, List.of(new BadBlockList.Range(0, 1L << 40)), 1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000");
    }

    @Test
    void refusesABlockSizeThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> BadBlockList.of(3000, List.of(), 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
