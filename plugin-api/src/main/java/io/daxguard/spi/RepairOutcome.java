package io.daxguard.spi;

import java.util.Objects;

/**
 * What {@link Holder#repairFromCopies} did to one damaged range of a member device.
 *
 * @param repaired      whether every byte of the range now reads back correct from this device
 * @param bytesRewritten bytes of this device rewritten from another copy
 * @param uncorrectable bytes no good copy could be found for (data loss)
 * @param detail        what an operator reads: the filesystem's own counts, the verify's result
 */
public record RepairOutcome(boolean repaired, long bytesRewritten, long uncorrectable, String detail) {
    public RepairOutcome {
        Objects.requireNonNull(detail, "detail is null");
        if (bytesRewritten < 0 || uncorrectable < 0) {
            throw new IllegalArgumentException("byte counts must not be negative, were " + bytesRewritten + " and "
                    + uncorrectable);
        }
    }
}
