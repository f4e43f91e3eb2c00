package io.daxguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SectorRangeTest {
    @Test
    void coveringBytesRoundsOutToWholeSectors() {
        assertThat(SectorRange.coveringBytes(1000, 100)).isEqualTo(new SectorRange(1, 2));
    }

    @Test
    void coveringAlignedBytesTakesExactlyTheirSectors() {
        assertThat(SectorRange.coveringBytes(4096, 4096)).isEqualTo(new SectorRange(8, 8));
    }

    @Test
    void containsItsLastSectorButNotTheNext() {
        SectorRange range = new SectorRange(10, 4);

        assertThat(range.contains(13) && !range.contains(14)).isTrue();
    }

    @Test
    void rejectsAnEmptyRange() {
        assertThatThrownBy(() -> new SectorRange(10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
    }
}
