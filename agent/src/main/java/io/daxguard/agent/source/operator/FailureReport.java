package io.daxguard.agent.source.operator;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.validation.InputValidator;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Instant;
import java.util.Set;

/**
 * A failure as an operator or vendor software reports it (JMX {@code reportFailure}, the CLI), in 512-byte
 * sectors. Checked by {@link InputValidator} before it becomes a {@link FailureTuple}.
 *
 * @param device  kernel name, {@code /dev} path or {@code major:minor}
 * @param sector  first failed sector
 * @param sectors failed sectors; at most 2^40 (512 TiB) in one report
 * @param errno   the error the device returned, a Linux errno (1..4095)
 */
public record FailureReport(
        @NotNull
        @Pattern(regexp = DeviceRef.GRAMMAR, message = DeviceRef.GRAMMAR_MESSAGE)
        String device,
        @PositiveOrZero
        @Max(value = Long.MAX_VALUE / FailureTuple.SECTOR - (1L << 40), message = "is beyond any device")
        long sector,
        @Positive
        @Max(1L << 40)
        long sectors,
        @Min(1)
        @Max(4095)
        int errno) {

    /** The failure on {@code device}, resolved from {@link #device} by the caller. */
    public FailureTuple toTuple(DeviceRef resolved, String source, Instant observedAt) {
        return new FailureTuple(resolved, sector * FailureTuple.SECTOR, sectors * FailureTuple.SECTOR, errno, Set.of(),
                source, observedAt);
    }
}
