package io.daxguard.agent.cli;

import static io.daxguard.agent.cli.SampleLedger.daxguard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.cli.SampleLedger.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line of the commands that read the ledger ({@code events}, {@code status --offline}): what
 * {@code --since} accepts, and which options go together. Parsing only: no ledger is read.
 */
class LedgerCommandsParsingTest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final SinceConverter SINCE = new SinceConverter(Clock.fixed(NOW, ZONE));

    @Test
    void sinceTakesAnIsoInstant() {
        assertThat(SINCE.convert("2026-02-27T10:15:30Z")).isEqualTo(Instant.parse("2026-02-27T10:15:30Z"));
    }

    @Test
    void sinceTakesAnInstantWithAnOffset() {
        assertThat(SINCE.convert("2026-02-27T10:15:30+02:00")).isEqualTo(Instant.parse("2026-02-27T08:15:30Z"));
    }

    @Test
    void sinceTakesALocalDateAndTimeInTheSystemsZone() {
        assertThat(SINCE.convert("2026-02-27T10:15"))
                .isEqualTo(LocalDateTime.of(2026, 2, 27, 10, 15).atZone(ZONE).toInstant());
    }

    @Test
    void sinceTakesADateFromItsMidnight() {
        assertThat(SINCE.convert("2026-02-27")).isEqualTo(LocalDate.of(2026, 2, 27).atStartOfDay(ZONE).toInstant());
    }

    @Test
    void sinceTakesAnAgeBeforeNow() {
        assertThat(SINCE.convert("90s")).isEqualTo(NOW.minusSeconds(90));
        assertThat(SINCE.convert("15m")).isEqualTo(NOW.minusSeconds(15 * 60));
        assertThat(SINCE.convert("1h")).isEqualTo(NOW.minusSeconds(3600));
        assertThat(SINCE.convert("2d")).isEqualTo(NOW.minusSeconds(2 * 86400));
        assertThat(SINCE.convert("1w")).isEqualTo(NOW.minusSeconds(7 * 86400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "1y", "-1h", "h", "2026-02-30", "2026-02-27 10:15", ""})
    void sinceRefusesAnythingElseNamingTheForms(String value) {
        assertThatThrownBy(() -> SINCE.convert(value)).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + value + "'").hasMessageContaining("an age (30s, 15m, 1h, 2d, 1w)");
    }

    @Test
    void aBadSinceIsAUsageErrorNamingTheOptionAndTheValue() {
        Outcome events = daxguard("events", "--since", "last tuesday", "--state-dir", "/nonexistent");

        assertThat(events.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(events.err()).contains("--since").contains("'last tuesday'");
    }

    @Test
    void offlineStatusRefusesTheOptionsOfARunningAgent() {
        Outcome status = daxguard("status", "--offline", "--url", "service:jmx:rmi:///jndi/rmi://h:1/jmxrmi");

        assertThat(status.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(status.err()).contains("--offline reads the ledger, not an agent");
    }

    @Test
    void theStateDirectoryOfStatusNeedsOffline() {
        Outcome status = daxguard("status", "--state-dir", "/var/lib/daxguard");

        assertThat(status.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(status.err()).contains("--state-dir and --config need --offline");
    }

    @Test
    void eventsWithoutItsDirectoryIsAUsageErrorThatNamesTheOption() {
        Outcome events = daxguard("events", "--state-dir");

        assertThat(events.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(events.err()).contains("--state-dir");
    }
}
