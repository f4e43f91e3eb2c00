package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSpanTest {
    @Test
    void lengthCountsFromStartUpToButNotIncludingEnd() {
        assertThat(new ByteSpan(4096, 12288).length()).isEqualTo(8192);
    }

    @Test
    void rejectsANegativeStart() {
        assertThatThrownBy(() -> new ByteSpan(-1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void rejectsAnEmptySpan() {
        assertThatThrownBy(() -> new ByteSpan(10, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[10, 10)");
    }

    @Test
    void rejectsAnEndBeforeTheStart() {
        assertThatThrownBy(() -> new ByteSpan(10, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[10, 5)");
    }
}
