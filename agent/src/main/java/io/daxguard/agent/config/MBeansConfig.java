package io.daxguard.agent.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.Objects;

/**
 * Limits on MBeans, so jconsole stays usable after a storm of damage.
 *
 * @param filesPerFilesystem  at most this many DamagedFile MBeans per filesystem; the rest are listed by
 *                            {@code listDamagedFiles}
 */
public record MBeansConfig(@Min(0) @Max(1_000_000) Integer filesPerFilesystem) {
    public MBeansConfig {
        filesPerFilesystem = Objects.requireNonNullElse(filesPerFilesystem, 10_000);
    }

    static MBeansConfig defaults() {
        return new MBeansConfig(null);
    }
}
