package io.daxguard.agent.ranges;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class ByteSizesTest {
    @Test
    void bytesBelowAKibibyteAreCountedAsThey() {
        assertThat(ByteSizes.format(0)).isEqualTo("0 B");
        assertThat(ByteSizes.format(1023)).isEqualTo("1023 B");
    }

    @Test
    void aWholeNumberOfAUnitHasNoDecimals() {
        assertThat(ByteSizes.format(4096)).isEqualTo("4 KiB");
        assertThat(ByteSizes.format(24L << 20)).isEqualTo("24 MiB");
    }

    @Test
    void anythingElseHasOneDecimalWhateverTheLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY); // a decimal comma where the format would follow the locale
            assertThat(ByteSizes.format(1536L << 10)).isEqualTo("1.5 MiB");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void theLargestValuesStayInTheLargestUnit() {
        assertThat(ByteSizes.format(Long.MAX_VALUE)).isEqualTo("8 EiB");
    }
}
