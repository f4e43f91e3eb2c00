package io.daxguard.agent.source.operator;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.validation.InputValidator;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Instant;

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
        @Pattern(regexp = "(/dev/)?[A-Za-z0-9][A-Za-z0-9._+-]*|[0-9]+:[0-9]+",
                message = "must be a kernel device name (loop3), a /dev path or major:minor")
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

    public FailureTuple toTuple(String source, Instant observedAt) {
        return FailureTuple.ofSectors(device, sector, sectors, errno, source, observedAt);
    }
}
