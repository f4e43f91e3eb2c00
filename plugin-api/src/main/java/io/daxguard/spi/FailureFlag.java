package io.daxguard.spi;

/**
 * The subset of the kernel's {@code enum mf_flags} a holder acts on, with the kernel's bit values.
 */
public enum FailureFlag {
    /** A task touched the poisoned memory and cannot go on without it ({@code MF_ACTION_REQUIRED}). */
    ACTION_REQUIRED(1 << 1),
    /** Mappers must be signalled even if the page is clean ({@code MF_MUST_KILL}). */
    MUST_KILL(1 << 2),
    /** The device is going away: every owner of the range is affected ({@code MF_MEM_PRE_REMOVE}). */
    PRE_REMOVE(1 << 7);

    private final int kernelBit;

    FailureFlag(int kernelBit) {
        this.kernelBit = kernelBit;
    }

    public int kernelBit() {
        return kernelBit;
    }
}
