package io.daxguard.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The SPI version the code says, the one the build stamps into plugin jars and the baseline the build compares
 * the SPI with (japicmp, in {@code verify}) are one number: bumping one without the others fails here, by name.
 */
class SpiBaselineTest {

    private static Properties build() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = SpiBaselineTest.class.getResourceAsStream("build.properties")) {
            properties.load(in);
        }
        return properties;
    }

    @Test
    void theBuildsSpiVersionIsTheCodes() throws IOException {
        assertThat(build().getProperty("daxguard.spi.version"))
                .as("daxguard.spi.version in the top pom.xml must be SpiVersion.CURRENT")
                .isEqualTo(Integer.toString(SpiVersion.CURRENT));
    }

    @Test
    void theReleasedSpiOfThisVersionIsThereToCompareWith() throws IOException {
        Path baseline = Path.of(build().getProperty("baseline"));
        assertThat(Files.isRegularFile(baseline))
                .as("%s is missing: SPI version %d has no released baseline; when it is released, copy "
                        + "plugin-api/target/plugin-api-<version>.jar there", baseline, SpiVersion.CURRENT)
                .isTrue();
    }
}
