package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutsideSkippedTest {
    private static List<String> handedOn(List<ByteSpan> skipped, long offset, long length) throws Exception {
        List<String> parts = new ArrayList<>();
        AllocatedRanges.outside(skipped, (at, bytes) -> parts.add(at + "+" + bytes)).accept(offset, length);
        return parts;
    }

    @Test
    void aRangeAroundASkippedSpanIsHandedOnInTwoParts() throws Exception {
        assertThat(handedOn(List.of(new ByteSpan(4096, 8192)), 0, 16384)).containsExactly("0+4096", "8192+8192");
    }

    @Test
    void aRangeInsideASkippedSpanIsNotHandedOn() throws Exception {
        assertThat(handedOn(List.of(new ByteSpan(0, 16384)), 4096, 4096)).isEmpty();
    }

    @Test
    void spansOutsideTheRangeChangeNothing() throws Exception {
        assertThat(handedOn(List.of(new ByteSpan(0, 4096), new ByteSpan(65536, 69632)), 8192, 4096))
                .containsExactly("8192+4096");
    }

    @Test
    void severalSpansCutOneRangeInOrder() throws Exception {
        assertThat(handedOn(List.of(new ByteSpan(1024, 2048), new ByteSpan(3072, 4096)), 0, 8192))
                .containsExactly("0+1024", "2048+1024", "4096+4096");
    }
}
