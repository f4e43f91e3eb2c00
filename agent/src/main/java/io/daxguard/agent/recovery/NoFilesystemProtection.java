package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.FilesystemRef;

/** A stand-in until the filesystem primitives are wired: every step answers that it is not available. */
public final class NoFilesystemProtection implements FilesystemProtection {
    private static final ProtectionResult NOT_AVAILABLE = new ProtectionResult(false, "not available");

    @Override
    public ProtectionResult freeze(FilesystemRef filesystem) {
        return NOT_AVAILABLE;
    }

    @Override
    public ProtectionResult thaw(FilesystemRef filesystem) {
        return NOT_AVAILABLE;
    }

    @Override
    public ProtectionResult shutdown(FilesystemRef filesystem) {
        return NOT_AVAILABLE;
    }

    @Override
    public ProtectionResult clearFreeSpace(DamageRecord record) {
        return NOT_AVAILABLE;
    }
}
