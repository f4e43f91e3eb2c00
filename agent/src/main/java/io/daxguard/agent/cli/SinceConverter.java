package io.daxguard.agent.cli;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The instant of {@code --since}: an ISO instant ({@code 2026-11-23T10:15:30Z}, or with an offset), a local date and
 * time ({@code 2026-11-23T10:15}) or a date ({@code 2026-11-23}, from its midnight) in the system's time zone, as
 * {@code journalctl --since} reads them; or an age ({@code 30s}, {@code 15m}, {@code 1h}, {@code 2d}, {@code 1w})
 * before now. Picocli puts the option's name and the value before the message of a value it refuses.
 */
final class SinceConverter implements ITypeConverter<Instant> {
    private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhdw])");
    static final String FORMS = "give an instant (2026-11-23T10:15:30Z), a local date and time (2026-11-23T10:15), "
            + "a date (2026-11-23) or an age (30s, 15m, 1h, 2d, 1w)";

    private final Clock clock;

    /** Ages count back from the system clock (what picocli makes). */
    SinceConverter() {
        this(Clock.systemDefaultZone());
    }

    SinceConverter(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Instant convert(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        Matcher age = AGE.matcher(text);
        if (age.matches()) {
            long amount = Long.parseLong(age.group(1));
            Duration back = switch (age.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> Duration.ofDays(7 * amount);
            };
            return clock.instant().minus(back);
        }
        String iso = value.strip();
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException notAnInstant) {
            // One of the other forms.
        }
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException notWithAnOffset) {
            // One of the other forms.
        }
        try {
            return LocalDateTime.parse(iso).atZone(clock.getZone()).toInstant();
        } catch (DateTimeParseException notLocal) {
            // One of the other forms.
        }
        try {
            return LocalDate.parse(iso).atStartOfDay(clock.getZone()).toInstant();
        } catch (DateTimeParseException | ArithmeticException notADate) {
            throw new TypeConversionException("'" + value + "' is not a time: " + FORMS);
        } catch (DateTimeException outOfRange) {
            throw new TypeConversionException("'" + value + "' is out of range: " + FORMS);
        }
    }
}
