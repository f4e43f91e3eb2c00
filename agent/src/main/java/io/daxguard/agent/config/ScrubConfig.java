package io.daxguard.agent.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.Objects;

/**
 * The scrubber: reads back every written extent of every held filesystem to find damage before a reader does.
 *
 * @param enabled         scrub on a schedule (a scrub can always be started by hand)
 * @param intervalHours   hours from the start of one scheduled scrub to the next
 * @param bytesPerSecond  read rate limit, so the scrub does not starve the appliance's own I/O
 */
public record ScrubConfig(Boolean enabled, @Min(1) @Max(8760) Integer intervalHours,
                          @Min(1024 * 1024) Long bytesPerSecond) {
    public ScrubConfig {
        enabled = Objects.requireNonNullElse(enabled, false);
        intervalHours = Objects.requireNonNullElse(intervalHours, 168);
        bytesPerSecond = Objects.requireNonNullElse(bytesPerSecond, 64L * 1024 * 1024);
    }

    static ScrubConfig defaults() {
        return new ScrubConfig(null, null, null);
    }
}
